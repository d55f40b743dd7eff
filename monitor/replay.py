"""The replay: held-out rows sent through the serving models as production traffic.

Each row is logged with source "replay", its own event time (the spec's time column, so
the Monitor page's axis is the data's calendar) and its event key (monitor/keys.py, so
outcomes that arrive later find it). The rows' own targets can be attached at the end.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from tqdm import tqdm

from data.spec import DatasetSpec
from data.stores import PredictionLog
from model.serving import ServingModels
from model.train import split
from monitor.keys import event_keys, utc_naive
from monitor.outcomes import Actuals, attach_known

SOURCE = "replay"
QUOTED = re.compile(r"'[^']*'")


class ReplayError(ValueError):
    """The replay was asked for something it cannot do (dates, columns): a usage error."""


@dataclass(frozen=True)
class ReplayOptions:
    """What to replay and how fast (None: every held-out row, as fast as possible)."""

    start: dt.date | None = None
    end: dt.date | None = None
    rate: float | None = None
    limit: int | None = None
    batch: int = 500
    user: str = "replay"
    outcomes: bool = True
    progress: bool = True


@dataclass
class ReplaySummary:
    """What the replay did, for its last line."""

    sent: int = 0
    logged: int = 0
    refused: Counter = field(default_factory=Counter)
    attached: int | None = None
    seconds: float = 0.0

    def add(self, sent: int, request_ids: list, problems: dict) -> None:
        self.sent += sent
        self.logged += sum(rid is not None for rid in request_ids)
        for reasons in problems.values():
            # 'Airline: 'ZZ' is not a known value' and 'YY' count as one reason
            why = QUOTED.sub("'…'", reasons[0]) if reasons else "refused"
            self.refused[why] += 1

    def line(self) -> str:
        """One line: rows sent, logged, refused (with reasons), outcomes, speed."""
        refused = sum(self.refused.values())
        text = f"replay: {self.sent:,} rows sent, {self.logged:,} logged, {refused:,} refused"
        if refused:
            reasons = ", ".join(f"{why} x{n}" for why, n in self.refused.most_common(3))
            text += f" ({reasons})"
        if self.attached is not None:
            text += f", {self.attached:,} outcomes attached"
        rate = self.sent / self.seconds if self.seconds > 0 else 0.0
        return text + f"; {rate:,.0f} rows/s"


def held_out(frame: pd.DataFrame, spec: DatasetSpec, options: ReplayOptions):
    """The rows to replay: the days asked for, else those after the validation window."""
    time_column = spec.time_column
    if options.start or options.end:
        if time_column is None:
            raise ReplayError("--from and --to need a [time] column in the spec")
        rows = _between(frame, time_column, options.start, options.end)
    elif spec.valid_end:
        after = pd.Timestamp(spec.valid_end) + pd.Timedelta(days=1)
        rows = frame[utc_naive(frame[time_column]) >= after]
    else:
        rows = split(frame, spec)["holdout"]
    if rows.empty:
        raise ReplayError("no rows to replay in that window")
    return rows.iloc[: options.limit] if options.limit else rows


def _between(frame, column: str, start: dt.date | None, end: dt.date | None):
    if start and end and end < start:
        raise ReplayError(f"--to {end} is before --from {start}")
    stamps = utc_naive(frame[column])
    keep = pd.Series(True, index=frame.index)
    if start:
        keep &= stamps >= pd.Timestamp(start)
    if end:
        keep &= stamps < pd.Timestamp(end) + pd.Timedelta(days=1)
    return frame[keep]


def event_times(rows: pd.DataFrame, spec: DatasetSpec) -> list[dt.datetime] | None:
    """Each row's time, aware: a naive column is the data's own clock, written as UTC so
    each row's day stays its calendar day."""
    if spec.time_column is None:
        return None
    stamps = rows[spec.time_column]
    if stamps.dt.tz is None:
        stamps = stamps.dt.tz_localize("UTC")
    return [None if pd.isna(s) else s.to_pydatetime() for s in stamps]


def key_columns_present(frame: pd.DataFrame, spec: DatasetSpec) -> None:
    """Refuse data built before the spec's key columns were kept (an older ETL)."""
    missing = [c for c in spec.monitor.keys if c not in frame.columns]
    if missing:
        raise LookupError(
            f"the processed data has no column(s) {missing} named by [monitor] keys; "
            "rebuild it: python -m data.ingest"
        )


def replay(
    models: ServingModels,
    prediction_log: PredictionLog,
    spec: DatasetSpec,
    rows: pd.DataFrame,
    options: ReplayOptions,
) -> ReplaySummary:
    """Send `rows` in batches at the asked rate; attach their outcomes unless told not to."""
    started = time.perf_counter()
    summary = ReplaySummary()
    request_ids = _send(models, spec, rows, options, summary)
    if models.shadow is not None:  # the challenger's answers are written before we exit
        models.shadow.flush(timeout_s=60.0)
    if options.outcomes:
        actuals = Actuals.for_card(models.current().card)
        summary.attached = attach_known(
            prediction_log, actuals, request_ids, rows[spec.target], SOURCE
        )
    summary.seconds = time.perf_counter() - started
    return summary


def _send(models, spec, rows, options: ReplayOptions, summary: ReplaySummary) -> list:
    """Every row through `predict_many`, batch by batch; the request ids in row order."""
    started, size = time.perf_counter(), batch_size(options)
    features = [f.column for f in spec.features]
    times = event_times(rows, spec)
    keys = event_keys(rows, spec.monitor.keys).tolist() if spec.monitor.keys else None
    request_ids: list[str | None] = []
    with tqdm(total=len(rows), unit="row", disable=not options.progress) as bar:
        for begin in range(0, len(rows), size):
            end = min(begin + size, len(rows))
            _, result = models.predict_many(
                rows.iloc[begin:end][features].to_dict("records"),
                source=SOURCE,
                user=options.user,
                event_times=times[begin:end] if times else None,
                keys=keys[begin:end] if keys else None,
            )
            summary.add(end - begin, result.request_ids, result.problems)
            request_ids += result.request_ids
            bar.update(end - begin)
            _pace(options.rate, started, end)
    return request_ids


def batch_size(options: ReplayOptions) -> int:
    """Rows per call: at a set rate no more than a second's worth, so the pace is even."""
    if options.rate:
        return max(1, min(options.batch, int(options.rate)))
    return options.batch


def _pace(rate: float | None, started: float, sent: int) -> None:
    """Sleep until `sent` rows are due at `rate` rows per second."""
    if rate:
        due = started + sent / rate
        time.sleep(max(0.0, due - time.perf_counter()))
