"""prediction_deltas a column at a time (numpy), for many rows at once: a batch, a replay,
a rebuild. It gives exactly the per-row loop's keys and sums (monitor/aggregates.py), floats
added in the same row order. Wherever numpy could disagree with the loop (values of other
types, unsorted edges, non-finite scores) it converts value by value as the loop does, or
declines (bulk_deltas returns False) and the loop counts.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from monitor.bins import ALL, SCORE_BINS, latency_bucket
from monitor.keys import utc_day

if TYPE_CHECKING:
    from monitor.aggregates import Binning, Deltas, Logged

BULK = 200  # rows from which prediction_deltas counts a column at a time


# Numbers numpy converts and compares exactly as float() and Python do (ints checked small).
_PLAIN_NUMBERS = frozenset({float, int, bool, type(None), np.float64})
_EXACT_INT = 2.0**53


@dataclass
class Columns:
    """The fields prediction_deltas reads, one list per field."""

    event_times: list
    sources: list
    inputs: list
    outputs: list
    probabilities: list
    latencies: list
    fallbacks: list

    @classmethod
    def of_logged(cls, rows: list[Logged]) -> Columns:
        return cls(
            [r.event_time for r in rows],
            [r.source for r in rows],
            [r.inputs for r in rows],
            [r.output for r in rows],
            [r.probabilities for r in rows],
            [r.latency_ms for r in rows],
            [r.fallback for r in rows],
        )

    @classmethod
    def of_fields(cls, rows: list[dict]) -> Columns:
        """As Logged.from_fields reads each row."""
        return cls(
            [r["event_time"] for r in rows],
            [r["source"] for r in rows],
            [r["inputs"] for r in rows],
            [float(r["output"]) for r in rows],
            [r["probabilities"] for r in rows],
            [float(r["latency_ms"]) for r in rows],
            [r["fallback"] is not None for r in rows],
        )


def _exact_edges(edges) -> np.ndarray | None:
    """Sorted edges as a float array when comparing with them in numpy is exact."""
    if not all(float(e) == e for e in edges):
        return None
    if any(b < a for a, b in zip(edges, edges[1:], strict=False)):
        return None
    return np.asarray(edges, dtype=float)


def _value_bins(edges, values: np.ndarray) -> np.ndarray | None:
    """value_bin of each value (None: the edges are not ones numpy compares exactly)."""
    last = len(edges) - 2
    if last < 0:
        return np.zeros(len(values), dtype=np.intp)
    sorted_edges = _exact_edges(edges)
    if sorted_edges is None:
        return None
    found = np.searchsorted(sorted_edges, values, side="right") - 1
    return np.clip(found, 0, last)


def _plain_numbers(values: list) -> np.ndarray | None:
    """Floats of numbers (None as NaN) when numpy converts them as float() does."""
    kinds = set(map(type, values))
    if not kinds <= _PLAIN_NUMBERS:
        return None
    array = np.array(values, dtype=float)
    if kinds & {int, bool} and not (np.abs(array[~np.isnan(array)]) < _EXACT_INT).all():
        return None
    return array


def _codes(values: list) -> tuple[np.ndarray, list]:
    """Each value's index among the distinct values, and those values (first seen first)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) == 1:
        return np.zeros(len(values), dtype=np.intp), distinct
    index = {v: i for i, v in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, values), np.intp, len(values))
    return codes, distinct


class _Picked(dict):
    """Input columns by name; `whole`: every row had every column (no default used)."""

    whole = False


def _input_columns(inputs: list, names: list[str]) -> _Picked:
    """Each column's values (None where a row lacks it), in one pass when every row is a
    dict holding every column."""
    picked = _Picked()
    if len(names) > 1 and all(type(row) is dict for row in inputs):
        try:
            columns = zip(*map(operator.itemgetter(*names), inputs), strict=True)
            picked.update(zip(names, map(list, columns), strict=True))
            picked.whole = True
            return picked
        except KeyError:
            picked.clear()
    for name in names:
        picked[name] = [row.get(name) for row in inputs]
    return picked


def _texts(values: list) -> list[str]:
    return values if set(map(type, values)) <= {str} else [str(v) for v in values]


class _FeatureCounts:
    """A feature's bins (rows with a value) and out-of-range flags, as the loop finds them."""

    def __init__(self, binning: Binning, kind, edges, categories, values):
        self.present = np.fromiter(
            map(operator.is_not, values, repeat(None)), bool, len(values)
        )
        self.bins = self.out = None
        numbers = _plain_numbers(values) if kind == "number" else None
        if numbers is not None:
            bins = _value_bins(edges, numbers)
            if bins is not None:
                self.bins = bins[self.present]
            self.numbers = numbers
        elif kind == "category" and set(map(type, values)) <= {str, type(None)}:
            lookup = {v: categories.get(v, -1) for v in dict.fromkeys(values)}
            lookup[None] = -1  # (not counted)
            codes = np.fromiter(map(lookup.__getitem__, values), np.intp, len(values))
            self.bins = codes[self.present]
        if self.bins is None:
            self.bins = np.array(
                [
                    binning.feature_bin(kind, edges, categories, v)
                    for v in values
                    if v is not None
                ],
                dtype=np.intp,
            )
        self.kind, self.values = kind, values
        self.plain = numbers is not None

    def out_of_range(self, low, high) -> np.ndarray:
        if self.plain:
            with np.errstate(invalid="ignore"):
                inside = (self.numbers >= low) & (self.numbers <= high)
            return ~inside & self.present
        return np.array(
            [isinstance(v, (int, float)) and not low <= v <= high for v in self.values],
            dtype=bool,
        )


def _calibrated(binning: Binning, channel: int, scores: np.ndarray):
    """Binning.calibrated of each (finite) score; None when numpy might differ."""
    if channel >= len(binning.calibration):
        return scores
    xs, ys = binning.calibration[channel]
    if not xs or len(ys) != len(xs):
        return None
    xa, ya = _exact_edges(xs), np.asarray(ys, dtype=float)
    if xa is None:
        return None
    i = np.searchsorted(xa, scores, side="left")
    inner = np.clip(i, 1, len(xa) - 1) if len(xa) > 1 else np.zeros_like(i)
    x0, x1 = xa[inner - 1], xa[inner]
    y0, y1 = ya[inner - 1], ya[inner]
    with np.errstate(all="ignore"):
        between = np.where(x1 > x0, y0 + (y1 - y0) * (scores - x0) / (x1 - x0), y1)
    return np.where(i <= 0, ya[0], np.where(i >= len(xa), ya[-1], between))


def _score_bins(binning: Binning, scores: np.ndarray):
    if binning.kind == "regression":
        return _value_bins(binning.edges, scores)
    return np.clip(np.trunc(scores * SCORE_BINS), 0, SCORE_BINS - 1).astype(np.intp)


def _grouped(codes: np.ndarray, weights: list[np.ndarray]):
    """The distinct codes, each one's count and weight sums (added in row order)."""
    if len(codes) and codes.max() <= 4 * len(codes) + 4096:  # few codes: count them all
        counts = np.bincount(codes)
        keys = np.flatnonzero(counts)
        sums = [np.bincount(codes, weights=w)[keys] for w in weights]
        return keys.tolist(), counts[keys].tolist(), [s.tolist() for s in sums]
    keys, inverse = np.unique(codes, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(keys))
    sums = [np.bincount(inverse, weights=w, minlength=len(keys)) for w in weights]
    return keys.tolist(), counts.tolist(), [s.tolist() for s in sums]


def _scored(binning: Binning, columns: Columns) -> list[tuple] | None:
    """Per channel: the scores, their bins and calibrated values; None (decline) when a
    score is not finite or numpy might bin or calibrate it differently."""
    if binning.kind == "multiclass":
        channels = [
            np.array(
                [float(p.get(c, 0.0)) if p else 0.0 for p in columns.probabilities],
                dtype=float,
            )
            for c in binning.classes
        ]
    else:
        channels = [np.array(columns.outputs, dtype=float)]
    if not all(np.isfinite(s).all() for s in channels):
        return None
    scored = []
    for channel, scores in enumerate(channels):
        bins, cal = _score_bins(binning, scores), _calibrated(binning, channel, scores)
        if bins is None or cal is None:
            return None
        scored.append((scores, bins, cal))
    return scored


def _heads(binning: Binning, columns: Columns) -> tuple[np.ndarray, list[tuple]]:
    """Each row's (day, version, source) as a code, and the distinct heads."""
    days: dict = {}
    day_of = [
        days[t] if t in days else days.setdefault(t, utc_day(t))
        for t in columns.event_times
    ]
    head, heads = _codes(list(zip(day_of, columns.sources, strict=True)))
    return head, [(day, binning.version, source) for day, source in heads]


def _out_of_range(binning: Binning, inputs: list, features: list) -> np.ndarray:
    """Binning.out_of_range of each row (a column's first feature entry, as the loop)."""
    by_column = dict(reversed(features))
    out = np.zeros(len(inputs), dtype=bool)
    for column, low, high in binning.ranges:
        counts = by_column.get(column)
        if counts is None:
            values = [row.get(column) for row in inputs]
            counts = _FeatureCounts(binning, "number", [], {}, values)
        out |= counts.out_of_range(low, high)
    return out


def _add_traffic(into, head, heads, columns: Columns, out: np.ndarray) -> None:
    """Traffic: per day, source and latency bucket."""
    buckets: dict = {}
    latency = [
        buckets[ms] if ms in buckets else buckets.setdefault(ms, latency_bucket(ms))
        for ms in columns.latencies
    ]
    bucket, bucket_values = _codes(latency)
    nb = len(bucket_values)
    keys, counts, (outs, fallbacks) = _grouped(
        head * nb + bucket,
        [out.astype(float), np.array(columns.fallbacks, dtype=float)],
    )
    for key, count, o, f in zip(keys, counts, outs, fallbacks, strict=True):
        into.add(
            "monitor_traffic",
            (*heads[key // nb], bucket_values[key % nb]),
            n=count,
            out_of_range=o,
            fallback=f,
        )


def _add_features(into, head, heads, features: list) -> None:
    """Features: per day, source, column and bin (-1: a category the card never saw)."""
    for column, counts_ in features:
        bins = counts_.bins
        if not len(bins):
            continue
        low = int(bins.min())
        width = int(bins.max()) - low + 1
        keys, counts, _ = _grouped(head[counts_.present] * width + (bins - low), [])
        for key, count in zip(keys, counts, strict=True):
            into.add(
                "monitor_features",
                (*heads[key // width], column, key % width + low),
                n=count,
            )


def _segments(binning: Binning, inputs: list, picked: _Picked) -> list[tuple]:
    """Per segment column (and ALL): each row's value as a code, and the values."""
    segments = [(ALL, np.zeros(len(inputs), dtype=np.intp), [ALL])]
    for s in binning.segments:
        # Every row has the column when it was picked whole: .get(s, "") is the value.
        whole = s in picked and picked.whole
        texts = _texts(picked[s] if whole else [row.get(s, "") for row in inputs])
        codes, uniques = pd.factorize(np.array(texts, dtype=object), sort=False)
        segments.append((s, codes.astype(np.intp), list(uniques)))
    return segments


def _add_scores(into, head, heads, scored: list, segments: list) -> None:
    """Scores: per day, source, segment value, channel and bin."""
    for channel, (scores, bins, cal) in enumerate(scored):
        nbins = int(bins.max()) + 1
        weights = [scores, scores * scores, np.asarray(cal, dtype=float)]
        for segment, codes, uniques in segments:
            nv = len(uniques)
            keys, counts, (p, p2, c) = _grouped(
                (head * nv + codes) * nbins + bins, weights
            )
            for key, count, ps, p2s, cs in zip(keys, counts, p, p2, c, strict=True):
                rest, b = divmod(key, nbins)
                h, v = divmod(rest, nv)
                into.add(
                    "monitor_scores",
                    (*heads[h], segment, uniques[v], channel, b),
                    n=count,
                    p_sum=ps,
                    p2_sum=p2s,
                    cal_sum=cs,
                )


def bulk_deltas(binning: Binning, columns: Columns, into: Deltas) -> bool:
    """prediction_deltas a column at a time; False (into untouched) where it declines."""
    # Scores first: anything unusual sends every row to the loop before a count is added.
    scored = _scored(binning, columns)
    if scored is None:
        return False
    head, heads = _heads(binning, columns)
    inputs = columns.inputs
    picked = _input_columns(inputs, list(dict.fromkeys(f[0] for f in binning.features)))
    features = [
        (column, _FeatureCounts(binning, kind, edges, categories, picked[column]))
        for column, kind, edges, categories in binning.features
    ]
    out = _out_of_range(binning, inputs, features)
    _add_traffic(into, head, heads, columns, out)
    _add_features(into, head, heads, features)
    _add_scores(into, head, heads, scored, _segments(binning, inputs, picked))
    return True
