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

from data.dataset import Dataset
from model.service import ModelService

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
