"""Dataset.precompute_full_view: the full view's row arrays are built at start-up (in
gunicorn's preloaded master, shared by its workers), not by each worker's first request."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from data import aggregates as agg
from data.dataset import Dataset
from data.filters import Filters
from data.ingest import processed_path, read_processed


@pytest.fixture(scope="module")
def frame(small_settings, flights_spec):
    return read_processed(processed_path(small_settings, flights_spec), flights_spec)[0]


def scored(frame, spec) -> Dataset:
    """A fresh dataset (nothing computed yet) with a score for every row."""
    scores = np.linspace(0, 1, len(frame), dtype=np.float32)
    return Dataset.from_frame(frame, spec).with_scores(scores)


def read_full_view(ds: Dataset) -> None:
    """What the Overview's unfiltered refresh reads, row array by row array."""
    full = ds.filter(Filters())
    assert full.mask is None
    _ = (full.rows, full.labelled_target, full.labelled_score, full.measure_in_view)
    for name in ds.columns.keys:
        full.keys_in_view(name, with_rows=False)


def allocated_bytes(ds: Dataset) -> int:
    """The most memory held at once while the full view is read."""
    tracemalloc.start()
    try:
        read_full_view(ds)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_after_precompute_reading_the_full_view_builds_no_array(frame, flights_spec):
    lazy, ready = scored(frame, flights_spec), scored(frame, flights_spec)
    size = ready.precompute_full_view()
    one_array = len(frame) * 4  # the smallest row array: float32
    assert size > 10 * one_array
    assert allocated_bytes(lazy) >= size  # without it, the first request builds them
    assert allocated_bytes(ready) < one_array


def test_precomputed_full_view_gives_the_same_aggregates(frame, flights_spec):
    lazy, ready = scored(frame, flights_spec), scored(frame, flights_spec)
    ready.precompute_full_view()
    full_lazy, full_ready = lazy.filter(Filters()), ready.filter(Filters())
    assert agg.kpis(full_ready) == agg.kpis(full_lazy)
    column = flights_spec.category_chart
    assert agg.by_category(full_ready, column).equals(
        agg.by_category(full_lazy, column)
    )
    assert agg.daily(full_ready).equals(agg.daily(full_lazy))
