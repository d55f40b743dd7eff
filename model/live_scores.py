"""The dataset with the serving version's score for every row, kept in step with promotes.

The Overview compares each group's actual rate with the model's mean score. After a promote
the new version's row scores are read from the cache (a gated retrain writes them) or
computed, on a thread, while the previous scores keep serving; then one reference swaps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from config import Settings
from data.backend import choose_backend, parquet_rows
from data.dataset import Dataset
from data.duck_dataset import DuckDataset
from data.ingest import ProcessedInfo, checked_info, processed_path, read_processed
from model.row_scores import batched_row_scores, cache_dir, row_scores
from model.service import ModelService
from model.train import processed_file

log = logging.getLogger("flightdeck.scores")


class LiveDataset:
    """One process's dataset, with the row scores of the version that serves."""

    def __init__(
        self,
        dataset: Dataset,
        version: str | None = None,
        rescore: Callable[[ModelService], np.ndarray] | None = None,
    ):
        self._dataset, self.version, self._rescore = dataset, version, rescore
        self._lock = threading.Lock()
        self._pending: str | None = None

    def current(self, service: ModelService) -> Dataset:
        """The dataset now; a new serving version starts its rescoring, once."""
        if self._rescore is not None and service.version != self.version:
            with self._lock:
                if self._pending != service.version:
                    self._pending = service.version
                    threading.Thread(
                        target=self._load, args=(service,), daemon=True
                    ).start()
        return self._dataset

    def wait(self, version: str, timeout_s: float = 30.0) -> bool:
        """Block until `version`'s scores serve (tests); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self.version != version and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.version == version

    def _load(self, service: ModelService) -> None:
        try:
            scores = self._rescore(service)
        except Exception:  # keep the old scores; the next request tries again
            log.exception("row scores of %s not loaded", service.version)
            with self._lock:
                self._pending = None
            return
        with self._lock:
            self._dataset = self._dataset.with_scores(scores)
            self.version = service.version
        log.info("row scores now from %s", service.version)


def load_data(
    settings: Settings, spec, progress=print
) -> tuple[pd.DataFrame | None, ProcessedInfo, int]:
    """The processed frame (None for the DuckDB backend, which never reads it whole), its
    info and its rows; the file is built first if missing and allowed."""
    path = processed_file(settings, spec, progress, build=settings.auto_build)
    rows = parquet_rows(path)
    if choose_backend(spec.source.backend, rows) == "duckdb":
        return None, checked_info(path, spec), rows
    frame, info = read_processed(path, spec)
    return frame, info, len(frame)


def live_dataset(settings: Settings, spec, frame, info, service) -> LiveDataset:
    """The dataset scored by the serving version, rescored when a promote changes it.
    `frame` None: the DuckDB backend, scored in batches read from the file."""
    dataset = open_dataset(settings, spec, frame, info)
    if service.kind == "multiclass":  # the Overview shows class mixes, not scores
        dataset.precompute_full_view()  # before gunicorn forks: shared by its workers
        return LiveDataset(dataset)
    data_file = processed_path(settings, spec)
    home = cache_dir(settings.home, spec.name)
    batched = frame is None  # the closure must not keep the frame alive

    def rescore(new: ModelService):  # the frame is read again, not kept in memory
        if batched:
            return batched_row_scores(new, data_file, spec, home)
        return row_scores(new, read_processed(data_file, spec)[0], data_file, home)

    scores = (
        batched_row_scores(service, data_file, spec, home)
        if batched
        else row_scores(service, frame, data_file, home)
    )
    scored = dataset.with_scores(scores)
    scored.precompute_full_view()  # before gunicorn forks: shared by its workers
    return LiveDataset(scored, service.version, rescore)


def open_dataset(settings: Settings, spec, frame, info):
    """Arrays in memory over `frame`, or (no frame) DuckDB over the processed Parquet."""
    if frame is None:
        home = cache_dir(settings.home, spec.name)
        data_file = processed_path(settings, spec)
        return DuckDataset.open(spec, data_file, info.classes, work_dir=home)
    return Dataset.from_frame(frame, spec, info.classes)
