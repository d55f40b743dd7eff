"""Recount the monitoring aggregates from the log itself.

For a log written before monitoring existed (migration 0006 gives old rows their request
time as event time), after restoring a backup, and as the bench's naive baseline: the same
per-row code as the write path, so a rebuild and the live counts agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlalchemy as sa

from data.tables import outcomes, predictions
from monitor import store
from monitor.aggregates import (
    Binning,
    Deltas,
    Logged,
    challenger_deltas,
    outcome_deltas,
    prediction_deltas,
)

CHUNK = 5000


def logged_rows(connection, where=None, chunk: int = CHUNK) -> Iterator[list]:
    """Every prediction row with its outcome (or None), in id order, a chunk at a time."""
    query = (
        sa.select(predictions, outcomes.c.actual)
        .select_from(
            predictions.outerjoin(
                outcomes, outcomes.c.request_id == predictions.c.request_id
            )
        )
        .order_by(predictions.c.id)
    )
    if where is not None:
        query = query.where(where)
    result = connection.execution_options(yield_per=chunk).execute(query).mappings()
    yield from result.partitions(chunk)


def count(rows: list, binnings: Callable[[str], Binning | None]) -> Deltas:
    """The aggregates a chunk of logged rows (with outcomes) adds."""
    deltas = Deltas()
    by_version: dict[str, list] = {}
    for row in rows:
        by_version.setdefault(row["model_version"], []).append(row)
    for version, group in by_version.items():
        binning = binnings(version)
        if binning is None:
            continue
        logged = [Logged.from_row(r) for r in group]
        prediction_deltas(binning, logged, deltas)
        outcome_deltas(
            binning,
            [
                (lg, r["actual"])
                for lg, r in zip(logged, group, strict=True)
                if r["actual"] is not None
            ],
            deltas,
        )
        shadowed: dict[str, list] = {}
        for lg, r in zip(logged, group, strict=True):
            if r["challenger_output"] is not None:
                shadowed.setdefault(r["challenger_version"], []).append(
                    (lg, float(r["challenger_output"]), r["challenger_label"])
                )
        for challenger, items in shadowed.items():
            challenger_deltas(version, challenger, items, deltas)
    return deltas


def rebuild(log, progress: Callable[[int], None] = lambda n: None) -> int:
    """Empty the aggregates and count every logged row again, in one transaction."""
    done = 0
    with log.engine.begin() as connection:
        store.clear(connection)
        reader = log.engine.connect()
        try:
            for rows in logged_rows(reader):
                store.write(connection, count(rows, log.binning_of))
                done += len(rows)
                progress(len(rows))
        finally:
            reader.close()
    return done
