"""The model's score for every row of the dataset, cached per model version and data file.

Scoring 336k rows takes seconds; the cache makes every start after the first one fast.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

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
    if path.is_file():
        scores = np.load(path)
        if scores.shape == (len(frame),):
            return scores
    scores = service.predict_frame(frame).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
    with os.fdopen(fd, "wb") as handle:
        np.save(handle, scores)
    os.replace(tmp, path)
    return scores
