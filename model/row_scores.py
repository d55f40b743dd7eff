"""The model's score for every row of the dataset, cached per model version and data file.

Scoring 336k rows takes seconds; the cache makes every start after the first one fast.
The DuckDB backend scores the processed file in batches, so no process holds it whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from data.backend import parquet_rows
from data.ingest import BATCH_ROWS, processed_batches
from data.spec import DatasetSpec
from model.service import ModelService


def cache_dir(home: Path, dataset_name: str) -> Path:
    return Path(home) / "cache" / dataset_name


def cache_path(cache_dir: Path, data_file: Path, version: str) -> Path:
    stat = data_file.stat()
    return cache_dir / f"scores-{version}-{stat.st_size}-{stat.st_mtime_ns}.npy"


def row_scores(
    service: ModelService, frame: pd.DataFrame, data_file: Path, cache_dir: Path
) -> np.ndarray:
    """Scores for `frame` (read from `data_file`), from the cache when it matches."""
    path = cache_path(cache_dir, data_file, service.version)
    scores = _cached(path, len(frame))
    if scores is not None:
        return scores
    scores = service.predict_frame(frame).astype(np.float32)
    with _replacing(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, scores)
    return scores


def batched_row_scores(
    service: ModelService,
    data_file: Path,
    spec: DatasetSpec,
    cache_dir: Path,
    batch_rows: int = BATCH_ROWS,
) -> np.ndarray:
    """Scores for every row of the processed `data_file`, read and scored `batch_rows` at
    a time into the same cache file row_scores writes (and reuses)."""
    path = cache_path(cache_dir, data_file, service.version)
    rows = parquet_rows(data_file)
    scores = _cached(path, rows)
    if scores is not None:
        return scores
    with _replacing(path) as tmp:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(rows,))
        done = 0
        for batch in processed_batches(data_file, spec, batch_rows):
            out[done : done + len(batch)] = service.predict_frame(batch)
            done += len(batch)
        if done != rows:
            raise ValueError(f"{data_file} gave {done:,} rows, not {rows:,}")
        out.flush()
        del out
    return np.load(path)


def _cached(path: Path, rows: int) -> np.ndarray | None:
    """The cached scores at `path`, if there are `rows` of them."""
    if path.is_file():
        scores = np.load(path)
        if scores.shape == (rows,):
            return scores
    return None


@contextmanager
def _replacing(path: Path) -> Iterator[str]:
    """A temp file next to `path`, renamed onto it when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
    os.close(fd)
    try:
        yield tmp
    except BaseException:
        os.remove(tmp)
        raise
    os.replace(tmp, path)
