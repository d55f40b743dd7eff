"""The Monitor section's log and what it is measured against.

A throwaway log grown to a size by sending the held-out rows again and again through
`score_many` (big batches, each row at its own event time, outcomes attached); the naive
Monitor page that reads every logged row of the window instead of the aggregates; and the
cost, per logged prediction, of keeping the aggregates in the logging transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from bench.measure import pct, timed
from data.db import Database
from data.ingest import processed_path, read_processed
from data.stores import log_row
from data.tables import predictions
from model.scoring import score_many
from model.train import split
from monitor import store
from monitor.aggregates import Deltas, Logged, prediction_deltas
from monitor.keys import event_keys
from monitor.outcomes import Actuals, attach_known
from monitor.rebuild import count, logged_rows
from monitor.report import Monitored, build_report
from monitor.report_types import Window

SOURCE = "bench"  # the log's `source` for every row the bench writes
BATCH = 5000  # rows per score_many call while building the log
WRITE_BATCH = 500  # rows per PredictionLog.write in the batched overhead rows


@dataclass(frozen=True)
class HeldOut:
    """The held-out rows as the replay sends them: features, event time, key, target."""

    rows: list[dict]
    times: list[dt.datetime] | None
    keys: list[str | None] | None
    targets: pd.Series

    def __len__(self) -> int:
        return len(self.rows)


def held_out(settings, spec) -> HeldOut:
    """The split's holdout rows (flights: Nov-Dec), times read on the data's own clock."""
    frame, _ = read_processed(processed_path(settings, spec), spec)
    rows = split(frame, spec)["holdout"]
    features = [f.column for f in spec.features]
    times = None
    if spec.time_column:
        stamps = rows[spec.time_column]
        if stamps.dt.tz is None:
            stamps = stamps.dt.tz_localize("UTC")
        times = [s.to_pydatetime() for s in stamps]
    keys = None
    if spec.monitor.keys and all(k in rows for k in spec.monitor.keys):
        keys = event_keys(rows, spec.monitor.keys).tolist()
    return HeldOut(
        rows[features].to_dict("records"),
        times,
        keys,
        rows[spec.target].reset_index(drop=True),
    )


class GrowingLog:
    """A log grown by whole batches of held-out rows, timing scoring and outcomes apart."""

    def __init__(self, service, prediction_log, held: HeldOut):
        self.service, self.log, self.held = service, prediction_log, held
        self.actuals = Actuals.for_card(service.card)
        self.sent = self.logged = self.attached = 0
        self.score_s = self.outcome_s = 0.0

    def grow_to(self, size: int, cap_s: float) -> bool:
        """Log rows until `size` are logged; False when building took `cap_s` first."""
        while self.logged < size:
            if self.score_s + self.outcome_s > cap_s:
                return False
            start = self.sent % len(self.held)
            end = min(start + BATCH, len(self.held), start + size - self.logged)
            self._batch(start, end)
        return True

    def _batch(self, start: int, end: int) -> None:
        held = self.held
        began = time.perf_counter()
        result = score_many(
            self.service,
            held.rows[start:end],
            source=SOURCE,
            event_times=held.times[start:end] if held.times else None,
            keys=held.keys[start:end] if held.keys else None,
        )
        scored = time.perf_counter()
        self.attached += attach_known(
            self.log,
            self.actuals,
            result.request_ids,
            held.targets.iloc[start:end],
            SOURCE,
        )
        self.outcome_s += time.perf_counter() - scored
        self.score_s += scored - began
        self.sent += end - start
        self.logged += result.answered
        if not result.answered:
            raise RuntimeError(f"score_many refused every row: {result.problems}")

    def summary(self) -> dict:
        seconds = self.score_s + self.outcome_s
        return {
            "logged": self.logged,
            "attached": self.attached,
            "refused": self.sent - self.logged,
            "score_s": self.score_s,
            "outcome_s": self.outcome_s,
            "seconds": seconds,
            "rows_per_s": self.logged / seconds if seconds else float("nan"),
        }


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


class NaiveScan:
    """The Monitor page built without aggregates: each refresh reads every logged row of
    the window (JSON inputs, outcomes joined), counts them with the write path's per-row
    code (monitor.rebuild.count) into fresh aggregates in an in-memory SQLite, and builds
    the same report from those."""

    def __init__(self, prediction_log, spec, registry):
        self.log = prediction_log
        self.scratch = Database("sqlite://").migrate()
        self.monitored = Monitored(self.scratch, spec, registry)

    def report(self, window: Window, version: str):
        c = predictions.c
        where = sa.and_(
            c.model_version == version,
            c.event_time >= _midnight(window.start),
            c.event_time < _midnight(window.end) + dt.timedelta(days=1),
        )
        with self.scratch.engine.begin() as scratch:
            store.clear(scratch)
            with self.log.engine.connect() as reader:
                for rows in logged_rows(reader, where):
                    store.write(scratch, count(rows, self.log.binning_of))
        return build_report(self.monitored, window, version=version)


def _row(service, clean: dict, answer: tuple) -> dict:
    """A what-if's log row, as PredictionLog.record builds it (a fresh id, now)."""
    value, label = answer
    return log_row(
        source=SOURCE,
        model_version=service.version,
        model_sha256=service.card.sha256,
        inputs=clean,
        output=value,
        output_label=label or None,
        latency_ms=5.0,
    )


class WriteOverhead:
    """PredictionLog.write with the card (aggregates upserted in the same transaction)
    against card=None (the raw insert), interleaved so both see the same load."""

    def __init__(self, service, prediction_log, cleans: list[dict]):
        self.service, self.log = service, prediction_log
        self.cleans = cleans
        self.answers = service.answers(cleans)
        self.next = 0

    def rows(self, k: int) -> list[dict]:
        out = []
        for _ in range(k):
            i = self.next % len(self.cleans)
            out.append(_row(self.service, self.cleans[i], self.answers[i]))
            self.next += 1
        return out

    def measure(self, single: int, batches: int, warmup: int = 3) -> dict:
        """p50 ms per row: one row per write, and WRITE_BATCH rows per write."""
        card, times = self.service.card, defaultdict(list)
        binning = self.log.binning(card)
        for i in range(warmup + single):
            for name, with_card in self._order(i, card):
                ms = timed(self.log.write, self.rows(1), with_card)
                if i >= warmup:
                    times[name].append(ms)
        for i in range(1 + batches):
            for name, with_card in self._order(i, card):
                ms = timed(self.log.write, self.rows(WRITE_BATCH), with_card)
                if i >= 1:
                    times[f"batch_{name}"].append(ms / WRITE_BATCH)
            rows = self.rows(WRITE_BATCH)
            started = time.perf_counter()
            prediction_deltas(binning, [Logged.from_fields(r) for r in rows], Deltas())
            if i >= 1:
                times["counting"].append(
                    (time.perf_counter() - started) * 1000 / WRITE_BATCH
                )
        out = {name: pct(values, 50) for name, values in times.items()}
        return out | {"single_n": single, "batches": batches, "batch": WRITE_BATCH}

    @staticmethod
    def _order(i: int, card):
        pair = [("card", card), ("raw", None)]
        return pair if i % 2 == 0 else pair[::-1]
