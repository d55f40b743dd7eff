"""Writing the monitoring aggregates: one upsert per table, inside the caller's transaction.

`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n` is atomic on SQLite and PostgreSQL
alike, so concurrent workers add to the same day's counts without reading them first; rows
go in key order, so concurrent workers lock them in the same order (no deadlock).
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from data.tables import (
    fit,
    monitor_challenger,
    monitor_features,
    monitor_scores,
    monitor_traffic,
)
from monitor.aggregates import Deltas

TABLES = {
    t.name: t
    for t in (monitor_traffic, monitor_features, monitor_scores, monitor_challenger)
}
INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def key_names(table: sa.Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def sum_names(table: sa.Table) -> list[str]:
    keys = set(key_names(table))
    return [c.name for c in table.columns if c.name not in keys]


@functools.cache
def _statement(dialect: str, name: str):
    """The upsert of one table, built once per process (building it costs more than
    running it for a single what-if)."""
    table = TABLES[name]
    insert = INSERTS[dialect](table)
    return insert.on_conflict_do_update(
        index_elements=list(key_names(table)),
        set_={s: table.c[s] + insert.excluded[s] for s in sum_names(table)},
    )


@functools.cache
def _text_keys(name: str) -> tuple[tuple[str, int], ...]:
    table = TABLES[name]
    return tuple(
        (c.name, c.type.length)
        for c in table.primary_key.columns
        if isinstance(c.type, sa.String)
    )


def _fitted(table: sa.Table, rows: list[dict]) -> list[dict]:
    """The rows with text keys (feature names, segment values) cut to their columns, as
    PostgreSQL needs; rows that then share a key are added up into one."""
    texts = _text_keys(table.name)
    if all(len(row[k]) <= length for row in rows for k, length in texts):
        return rows
    keys, merged = key_names(table), {}
    for row in rows:
        row = row | {k: fit(table.c[k], row[k]) for k, _ in texts}
        same = merged.setdefault(tuple(row[k] for k in keys), dict.fromkeys(row, 0))
        for name, value in row.items():
            same[name] = value if name in keys else same[name] + value
    return list(merged.values())


def _upsert(connection, table: sa.Table, rows: list[dict]) -> None:
    """Add the rows, in key order: PostgreSQL locks each row it upserts, so two workers
    adding the same rows in different orders would deadlock."""
    keys = key_names(table)
    rows = sorted(_fitted(table, rows), key=lambda row: tuple(row[k] for k in keys))
    sums = sum_names(table)
    statement = _statement(connection.dialect.name, table.name)
    # Every row carries every sum (0 when not touched): executemany needs one shape.
    full = [{**dict.fromkeys(sums, 0.0), **row} for row in rows]
    for row in full:
        row["n"] = int(row["n"])
    connection.execute(statement, full)


def write(connection, deltas: Deltas) -> int:
    """Add the deltas to their tables; returns the aggregate rows touched."""
    touched = 0
    for name, table in TABLES.items():
        rows = deltas.rows(name, key_names(table))
        if rows:
            _upsert(connection, table, rows)
            touched += len(rows)
    return touched


def clear(connection) -> None:
    """Empty every aggregate (a rebuild starts from nothing)."""
    for table in TABLES.values():
        connection.execute(table.delete())
