"""The Dataset seam: what the Overview and the report ask of the data, and which backend
answers it.

Two backends implement `DatasetView`: the in-memory `Dataset` (numpy arrays, masks and
bincount; data/dataset.py) and `DuckDataset` (SQL over the processed Parquet through DuckDB;
data/duck_dataset.py). data/aggregates.py builds every KPI, chart and table from the
primitives below, so both backends share each step after the group sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from data.filters import Filters
from data.spec import DatasetSpec

Backend = Literal["memory", "duckdb"]
# "auto" serves from DuckDB above this many rows, where an in-memory worker passes ~1 GB
# RSS (0.33 GB a million rows); below it memory's 7-9x faster refresh wins (README, bench).
AUTO_DUCKDB_ROWS = 2_000_000


class ViewCaches:
    """The two caches of every backend's views: values of one view, and values of the full
    data, shared by every view of it (the unfiltered view's values go there too)."""

    _memo: dict
    _view_cache: dict

    @property
    def unfiltered(self) -> bool:
        raise NotImplementedError

    def per_view(self, name: str, compute):
        """Computed once per view; the unfiltered view's values are shared by every request."""
        if self.unfiltered:
            return self.memoized(f"all:{name}", compute)
        if name not in self._view_cache:
            self._view_cache[name] = compute()
        return self._view_cache[name]

    def memoized(self, name: str, compute):
        """A value that depends only on the full data, computed once and shared by every view."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]


class DatasetView(Protocol):
    """One filtered view of a dataset; filter() returns a new view."""

    spec: DatasetSpec

    # What the data holds: filters' choices, bounds and words.
    @property
    def total_rows(self) -> int: ...
    @property
    def classes(self) -> tuple[str, ...]: ...
    @property
    def multiclass(self) -> bool: ...
    @property
    def date_span(self) -> tuple[dt.date, dt.date] | None: ...
    @property
    def first_day(self) -> dt.date | None: ...
    @property
    def n_days(self) -> int: ...
    @property
    def missing_count(self) -> int: ...
    @property
    def missing_words(self) -> str: ...
    def categories(self, column: str) -> list[str]: ...
    def names(self, column: str) -> dict[str, str]: ...
    def bounds(self, column: str) -> tuple[float, float]: ...
    def bin_edges(self, column: str) -> np.ndarray: ...

    # Filtering: raw client values checked, then a new view.
    def parse_filters(
        self, dates=None, categories=None, ranges=None, missing=None
    ) -> Filters: ...
    def filter(self, filters: Filters) -> DatasetView: ...

    # Scores and caching.
    def with_scores(self, scores: np.ndarray) -> DatasetView: ...
    def precompute_full_view(self) -> int: ...
    def per_view(self, name: str, compute: Callable[[], Any]) -> Any: ...
    def memoized(self, name: str, compute: Callable[[], Any]) -> Any: ...

    # The sums every aggregate is built from. Group keys: "cat:<column>", "bin:<column>",
    # "day", "hour_weekday", "route"; arrays are indexed by the key's code.
    def headline(self) -> dict[str, float | int | None]: ...
    def group_sums(
        self, name: str, with_rows: bool = True
    ) -> dict[str, np.ndarray]: ...
    def route_measure_means(self) -> np.ndarray: ...
    def measure_span(self) -> tuple[float, float]: ...
    def measure_counts(self, low: float, high: float, n_bins: int) -> np.ndarray: ...
    def class_counts(self, name: str) -> np.ndarray: ...
    def class_totals(self) -> np.ndarray: ...
    def coordinates(self, end: str) -> tuple[np.ndarray, np.ndarray]: ...


def choose_backend(setting: str, rows: int) -> Backend:
    """The spec's `[source] backend`: "memory", "duckdb", or "auto" (DuckDB above
    AUTO_DUCKDB_ROWS rows)."""
    if setting == "auto":
        return "duckdb" if rows > AUTO_DUCKDB_ROWS else "memory"
    return setting  # type: ignore[return-value]


def parquet_rows(path: Path) -> int:
    """Rows in a Parquet file, from its footer (nothing else is read)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows
