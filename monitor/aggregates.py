"""What each logged prediction adds to the monitoring aggregates, and what its outcome adds.

One plain loop over rows, so a single what-if pays microseconds; from BULK rows on (a batch,
a replay, a rebuild) the same counts come a column at a time (numpy), giving exactly the
loop's keys and sums (floats added in the same row order). The card of the version that
answered says how to bin: its features' drift edges and categories, its score reference.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import operator
from collections import defaultdict
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd

from model.card import ModelCard
from monitor.bins import (
    PROBABILITY_EDGES,
    SCORE_BINS,
    latency_bucket,
    score_bin,
    value_bin,
)

ALL = ""  # the segment of every row
EPS = 1e-6
BULK = 200  # rows from which prediction_deltas counts a column at a time


def utc_day(stamp: dt.datetime) -> dt.date:
    """The day of an event time (in UTC when it carries a time zone)."""
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return stamp.date()


@dataclass(frozen=True)
class Logged:
    """One logged prediction as monitoring reads it."""

    event_time: dt.datetime
    source: str
    inputs: dict
    output: float
    label: str | None = None
    probabilities: dict | None = None
    latency_ms: float = 0.0
    fallback: bool = False

    @property
    def day(self) -> dt.date:
        return utc_day(self.event_time)

    @classmethod
    def from_fields(cls, row) -> Logged:
        """From a row about to be logged (inputs and probabilities still mappings)."""
        return cls(
            event_time=row["event_time"],
            source=row["source"],
            inputs=row["inputs"],
            output=float(row["output"]),
            label=row["output_label"],
            probabilities=row["probabilities"],
            latency_ms=float(row["latency_ms"]),
            fallback=row["fallback"] is not None,
        )

    @classmethod
    def from_row(cls, row) -> Logged:
        """From a predictions row read back (inputs and probabilities as JSON text)."""
        probabilities = row["probabilities"]
        return cls.from_fields(
            {
                **row,
                "inputs": json.loads(row["inputs"]),
                "probabilities": json.loads(probabilities) if probabilities else None,
            }
        )


class Deltas:
    """Sums to add, per aggregate table and key (the table's primary key after day,
    version and source)."""

    def __init__(self):
        self.tables: dict[str, dict[tuple, dict[str, float]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(float))
        )

    def add(self, table: str, key: tuple, **sums: float) -> None:
        bucket = self.tables[table][key]
        for name, value in sums.items():
            bucket[name] += value

    def rows(self, table: str, key_names: tuple[str, ...]) -> list[dict]:
        return [
            {**dict(zip(key_names, key, strict=True)), **sums}
            for key, sums in self.tables.get(table, {}).items()
        ]

    def __bool__(self) -> bool:
        return any(self.tables.values())


class Binning:
    """A version's card, read once into what binning a row needs."""

    def __init__(self, card: ModelCard, segments: list[str]):
        self.version, self.kind = card.version, card.kind
        self.classes = card.classes
        self.features = [
            (
                e.column,
                e.kind,
                e.drift_edges,
                {c: i for i, c in enumerate(e.categories)},
            )
            for e in card.features
        ]
        self.ranges = [
            (e.column, e.min, e.max)
            for e in card.features
            if e.kind == "number" and e.min is not None
        ]
        present = set(card.feature_columns)
        self.segments = [s for s in segments if s in present]
        reference = card.monitor
        self.edges = reference.edges if reference else PROBABILITY_EDGES
        self.calibration = (
            [(c.score, c.observed) for c in reference.calibration] if reference else []
        )

    @staticmethod
    def feature_bin(kind: str, edges, categories, value) -> int:
        if kind == "category":
            return categories.get(str(value), -1)
        return value_bin(edges, float(value))

    def out_of_range(self, inputs: dict) -> bool:
        for column, low, high in self.ranges:
            value = inputs.get(column)
            if isinstance(value, (int, float)) and not low <= value <= high:
                return True
        return False

    def channels(self, row: Logged) -> list[float]:
        """The scores monitored for a row: p(positive), each class's probability, or the value."""
        if self.kind == "multiclass":
            probabilities = row.probabilities or {}
            return [float(probabilities.get(c, 0.0)) for c in self.classes]
        return [row.output]

    def bin_of(self, score: float) -> int:
        if self.kind == "regression":
            return value_bin(self.edges, score)
        return score_bin(score)

    def calibrated(self, channel: int, score: float) -> float:
        """The validation split's observed rate at this score (the score itself if none)."""
        if channel >= len(self.calibration):
            return score
        xs, ys = self.calibration[channel]
        i = bisect.bisect_left(xs, score)
        if i <= 0:
            return ys[0]
        if i >= len(xs):
            return ys[-1]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (score - x0) / (x1 - x0) if x1 > x0 else y1

    def score_keys(self, row: Logged) -> list[tuple[str, str]]:
        """The segments a row counts in: all rows, then each segment column's value."""
        return [(ALL, ALL)] + [(s, str(row.inputs.get(s, ""))) for s in self.segments]


def prediction_deltas(binning: Binning, rows: list[Logged], into: Deltas) -> Deltas:
    """Add each row to traffic, feature, and score aggregates."""
    if len(rows) >= BULK and _bulk(binning, _Columns.of_logged(rows), into):
        return into
    return _each_row(binning, rows, into)


def field_deltas(binning: Binning, rows: list[dict], into: Deltas) -> Deltas:
    """prediction_deltas of rows about to be logged (Logged.from_fields of each), without
    building a Logged per row when there are many."""
    if len(rows) >= BULK and _bulk(binning, _Columns.of_fields(rows), into):
        return into
    return _each_row(binning, [Logged.from_fields(r) for r in rows], into)


def _each_row(binning: Binning, rows: list[Logged], into: Deltas) -> Deltas:
    """prediction_deltas, one row at a time (few rows, or values the bulk path declines)."""
    version = binning.version
    for row in rows:
        head = (row.day, version, row.source)
        into.add(
            "monitor_traffic",
            (*head, latency_bucket(row.latency_ms)),
            n=1,
            out_of_range=float(binning.out_of_range(row.inputs)),
            fallback=float(row.fallback),
        )
        for column, kind, edges, categories in binning.features:
            value = row.inputs.get(column)
            if value is None:
                continue
            into.add(
                "monitor_features",
                (
                    *head,
                    column,
                    binning.feature_bin(kind, edges, categories, value),
                ),
                n=1,
            )
        keys = binning.score_keys(row)
        for channel, score in enumerate(binning.channels(row)):
            b, cal = binning.bin_of(score), binning.calibrated(channel, score)
            for segment, value in keys:
                into.add(
                    "monitor_scores",
                    (*head, segment, value, channel, b),
                    n=1,
                    p_sum=score,
                    p2_sum=score * score,
                    cal_sum=cal,
                )
    return into


def _hit(binning: Binning, channel: int, actual: str) -> float:
    if binning.kind == "binary":
        return float(actual == binning.classes[-1])
    return float(actual == binning.classes[channel])


def realized_sums(binning: Binning, channel: int, score: float, actual: str) -> dict:
    """What one outcome adds to its score bin: counts and losses (or errors)."""
    if binning.kind == "regression":
        error = score - float(actual)
        return {"labeled": 1, "abs_err_sum": abs(error), "sq_err_sum": error * error}
    y = _hit(binning, channel, actual)
    p = min(max(score, EPS), 1 - EPS)
    return {
        "labeled": 1,
        "positives": y,
        "brier_sum": (score - y) ** 2,
        "logloss_sum": -(y * math.log(p) + (1 - y) * math.log(1 - p)),
    }


def outcome_deltas(
    binning: Binning, pairs: list[tuple[Logged, str]], into: Deltas
) -> Deltas:
    """Add each outcome to the score bins its prediction counted in (n unchanged)."""
    for row, actual in pairs:
        head = (row.day, binning.version, row.source)
        keys = binning.score_keys(row)
        for channel, score in enumerate(binning.channels(row)):
            sums = realized_sums(binning, channel, score, actual)
            for segment, value in keys:
                into.add(
                    "monitor_scores",
                    (*head, segment, value, channel, binning.bin_of(score)),
                    n=0,
                    **sums,
                )
    return into


def challenger_deltas(
    champion: str, challenger: str, rows: list[tuple[Logged, float, str | None]], into
) -> Deltas:
    """Agreement (same label) and the difference in output, per challenger-scored row."""
    for row, output, label in rows:
        diff = output - row.output
        into.add(
            "monitor_challenger",
            (row.day, champion, row.source, challenger),
            n=1,
            agree=float(label == row.label),
            diff_sum=diff,
            abs_diff_sum=abs(diff),
        )
    return into


# The bulk path: prediction_deltas a column at a time. Wherever numpy could disagree with
# the loop (values of other types, unsorted edges, non-finite scores), it converts value
# by value as the loop does, or declines (_bulk returns False) and the loop counts.

# Numbers numpy converts and compares exactly as float() and Python do (ints checked small).
_PLAIN_NUMBERS = frozenset({float, int, bool, type(None), np.float64})
_EXACT_INT = 2.0**53


@dataclass
class _Columns:
    """The fields prediction_deltas reads, one list per field."""

    event_times: list
    sources: list
    inputs: list
    outputs: list
    probabilities: list
    latencies: list
    fallbacks: list

    @classmethod
    def of_logged(cls, rows: list[Logged]) -> _Columns:
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
    def of_fields(cls, rows: list[dict]) -> _Columns:
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


def _bulk(binning: Binning, columns: _Columns, into: Deltas) -> bool:
    """prediction_deltas a column at a time; False (into untouched) where it declines."""
    n = len(columns.inputs)
    version = binning.version
    # Scores first: anything unusual sends every row to the loop before a count is added.
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
        return False
    scored = []
    for channel, scores in enumerate(channels):
        bins, cal = _score_bins(binning, scores), _calibrated(binning, channel, scores)
        if bins is None or cal is None:
            return False
        scored.append((scores, bins, cal))

    days: dict = {}
    day_of = [
        days[t] if t in days else days.setdefault(t, utc_day(t))
        for t in columns.event_times
    ]
    head, heads = _codes(list(zip(day_of, columns.sources, strict=True)))
    heads = [(day, version, source) for day, source in heads]
    buckets: dict = {}
    latency = [
        buckets[ms] if ms in buckets else buckets.setdefault(ms, latency_bucket(ms))
        for ms in columns.latencies
    ]

    inputs = columns.inputs
    names = list(dict.fromkeys(f[0] for f in binning.features))
    picked = _input_columns(inputs, names)
    features = [
        (column, _FeatureCounts(binning, kind, edges, categories, picked[column]))
        for column, kind, edges, categories in binning.features
    ]
    by_column = dict(reversed(features))  # a column's first entry, as in out_of_range
    out = np.zeros(n, dtype=bool)
    for column, low, high in binning.ranges:
        counts = by_column.get(column)
        if counts is None:
            values = [row.get(column) for row in inputs]
            counts = _FeatureCounts(binning, "number", [], {}, values)
        out |= counts.out_of_range(low, high)

    # Traffic: per day, source and latency bucket.
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

    # Features: per day, source, column and bin (-1: a category the card never saw).
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

    # Scores: per day, source, segment value, channel and bin.
    segments = [(ALL, np.zeros(n, dtype=np.intp), [ALL])]
    for s in binning.segments:
        # Every row has the column when it was picked whole: .get(s, "") is the value.
        whole = s in picked and picked.whole
        texts = _texts(picked[s] if whole else [row.get(s, "") for row in inputs])
        codes, uniques = pd.factorize(np.array(texts, dtype=object), sort=False)
        segments.append((s, codes.astype(np.intp), list(uniques)))
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
    return True
