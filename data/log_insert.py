"""How log rows reach the predictions table: inputs and probabilities as JSON text, and
many rows into SQLite straight through the driver (a 100,000-row batch is logged in
chunks of thousands; SQLAlchemy's per-row parameter handling cost about a second there).
"""

from __future__ import annotations

import functools
import json

from data.tables import predictions
from monitor.bulk_deltas import BULK

# json.dumps(value, sort_keys=True) and json.dumps(value), without a new encoder each call.
_INPUTS_JSON = json.JSONEncoder(sort_keys=True).encode
_JSON = json.JSONEncoder().encode


def stored(row: dict) -> dict:
    """The row as the table holds it: inputs and probabilities as JSON text."""
    probabilities = row["probabilities"]
    return row | {
        "inputs": _INPUTS_JSON(row["inputs"]),
        "probabilities": _JSON(probabilities) if probabilities else None,
    }


@functools.lru_cache(maxsize=32)
def _bulk_insert(dialect, keys: tuple[str, ...]):
    """The predictions insert as the driver takes it (SQL text, its parameters' order) and
    each column's bind processor (SQLAlchemy's own conversions, e.g. datetimes as text)."""
    compiled = predictions.insert().compile(dialect=dialect, column_keys=list(keys))
    order = tuple(compiled.positiontup)
    processors = {
        key: predictions.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        for key in order
    }
    return compiled.string, order, processors


def _stored_columns(rows: list[dict], order, processors) -> list[tuple]:
    """The rows as stored() gives them, through the bind processors, as the driver's tuples:
    a column at a time (inputs as JSON, each distinct datetime object converted once)."""
    columns = []
    for key in order:
        values = [r[key] for r in rows]
        if key == "inputs":
            values = list(map(_INPUTS_JSON, values))
        elif key == "probabilities":
            values = [_JSON(p) if p else None for p in values]
        process = processors[key]
        if process is not None:
            done: dict[int, object] = {}
            values = [
                done[i] if (i := id(v)) in done else done.setdefault(i, process(v))
                for v in values
            ]
        columns.append(values)
    return list(zip(*columns, strict=True))


def insert(connection, rows: list[dict]) -> None:
    """Insert log_row rows: many into SQLite straight through the driver (SQLAlchemy's
    statement and conversions, without its per-row parameter handling), else Core."""
    dialect = connection.dialect
    if dialect.name == "sqlite" and len(rows) >= BULK and dialect.paramstyle == "qmark":
        sql, order, processors = _bulk_insert(dialect, tuple(rows[0]))
        if len(order) == len(rows[0]):
            connection.exec_driver_sql(sql, _stored_columns(rows, order, processors))
            return
    connection.execute(predictions.insert(), [stored(r) for r in rows])
