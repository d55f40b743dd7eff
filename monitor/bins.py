"""How monitoring puts values into bins: shared by training (the reference in the card) and
by every logged prediction (the aggregates), so the two always line up."""

from __future__ import annotations

import bisect
import math

import numpy as np

ALL = ""  # the segment of every row
SCORE_BINS = 50  # probabilities: 50 bins of 0.02
PROBABILITY_EDGES = [round(i / SCORE_BINS, 10) for i in range(SCORE_BINS + 1)]
VALUE_BINS = 20  # regression: holdout quantiles


def value_bin(edges: list[float], value: float) -> int:
    """The bin of `value` among `len(edges) - 1` bins; values outside go to the end bins."""
    last = len(edges) - 2
    if last < 0:
        return 0
    return min(max(bisect.bisect_right(edges, value) - 1, 0), last)


def score_bin(value: float) -> int:
    return min(max(int(value * SCORE_BINS), 0), SCORE_BINS - 1)


def value_edges(values: np.ndarray) -> list[float]:
    """Quantile edges of a regression's predictions (duplicates merged)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return [0.0, 1.0]
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, VALUE_BINS + 1)))
    return edges.tolist() if edges.size > 1 else [edges[0], edges[0] + 1.0]


def shares(bins: np.ndarray, count: int) -> list[float]:
    """Share of rows per bin (0..count-1)."""
    totals = np.bincount(np.asarray(bins, dtype=int), minlength=count)[:count]
    return (totals / max(totals.sum(), 1)).tolist()


def latency_bucket(ms: float) -> int:
    """Ten buckets a decade (each ~26% wide): p50 and p95 from counts, within a bucket."""
    return math.floor(math.log10(max(ms, 0.01)) * 10)


def bucket_ms(bucket: float) -> float:
    """A bucket's geometric middle, in milliseconds."""
    return 10 ** ((bucket + 0.5) / 10)
