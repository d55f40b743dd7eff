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
from collections import defaultdict
from dataclasses import dataclass

from model.card import ModelCard
from monitor.bins import (
    ALL,
    PROBABILITY_EDGES,
    latency_bucket,
    score_bin,
    value_bin,
)
from monitor.bulk_deltas import BULK, Columns, bulk_deltas
from monitor.keys import utc_day

EPS = 1e-6


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
    if len(rows) >= BULK and bulk_deltas(binning, Columns.of_logged(rows), into):
        return into
    return _each_row(binning, rows, into)


def field_deltas(binning: Binning, rows: list[dict], into: Deltas) -> Deltas:
    """prediction_deltas of rows about to be logged (Logged.from_fields of each), without
    building a Logged per row when there are many."""
    if len(rows) >= BULK and bulk_deltas(binning, Columns.of_fields(rows), into):
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
