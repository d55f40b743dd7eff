"""Reading the monitoring aggregates for a window: grouped sums, never a scan of the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from data.tables import (
    monitor_challenger,
    monitor_features,
    monitor_scores,
    monitor_traffic,
)
from monitor.store import sum_names


@dataclass(frozen=True)
class Scope:
    """Which rows a report reads: one version, days of event time, optionally one source."""

    version: str
    start: dt.date
    end: dt.date
    source: str | None = None

    def where(self, table: sa.Table):
        c = table.c
        clauses = [c.version == self.version, c.day >= self.start, c.day <= self.end]
        if self.source:
            clauses.append(c.source == self.source)
        return sa.and_(*clauses)


def _grouped(connection, table: sa.Table, scope: Scope, keys: list[str], where=None):
    """Sums of every measure of `table` grouped by `keys`, as a frame."""
    sums = sum_names(table)
    query = (
        sa.select(
            *(table.c[k] for k in keys),
            *(sa.func.sum(table.c[s]).label(s) for s in sums),
        )
        .where(scope.where(table))
        .group_by(*(table.c[k] for k in keys))
    )
    if where is not None:
        query = query.where(where)
    frame = pd.DataFrame(connection.execute(query).all(), columns=[*keys, *sums])
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def traffic(connection, scope: Scope) -> pd.DataFrame:
    return _grouped(
        connection, monitor_traffic, scope, ["day", "source", "latency_bucket"]
    )


def features(connection, scope: Scope, feature: str | None = None) -> pd.DataFrame:
    where = monitor_features.c.feature == feature if feature else None
    return _grouped(connection, monitor_features, scope, ["feature", "bin"], where)


def scores(connection, scope: Scope) -> pd.DataFrame:
    """Score bins per day for all rows (segment ''), and per segment over the window."""
    table = monitor_scores
    by_day = _grouped(
        connection, table, scope, ["day", "channel", "bin"], table.c.segment == ""
    )
    by_segment = _grouped(
        connection,
        table,
        scope,
        ["segment", "value", "channel", "bin"],
        table.c.segment != "",
    )
    return by_day, by_segment


def challenger(connection, scope: Scope) -> pd.DataFrame:
    return _grouped(connection, monitor_challenger, scope, ["day", "challenger"])


def sources(connection, version: str | None = None) -> list[str]:
    query = sa.select(monitor_traffic.c.source).distinct()
    if version:
        query = query.where(monitor_traffic.c.version == version)
    return sorted(connection.execute(query).scalars())


def span(
    connection, version: str, source: str | None = None
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of event time logged for a version (from the aggregates),
    from one source or all."""
    c = monitor_traffic.c
    query = sa.select(sa.func.min(c.day), sa.func.max(c.day)).where(
        c.version == version
    )
    if source:
        query = query.where(c.source == source)
    low, high = connection.execute(query).one()
    if low is None:
        return None
    return pd.Timestamp(low).date(), pd.Timestamp(high).date()


def busiest_source(connection, version: str) -> str | None:
    """The source that logged the most predictions for a version."""
    c = monitor_traffic.c
    total = sa.func.sum(c.n)
    query = (
        sa.select(c.source)
        .where(c.version == version)
        .group_by(c.source)
        .order_by(total.desc(), c.source)
        .limit(1)
    )
    return connection.execute(query).scalar()
