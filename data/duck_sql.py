"""SQL for the DuckDB backend: the typed view over the Parquet, filters as WHERE clauses and
the group keys, each value a named parameter (never text built from a value).

Every expression mirrors data/dataset.py's numpy step, so both backends count the same rows:
numbers compared as float32, bins by searchsorted's rule, histogram bins by numpy's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from data.filters import Filters
from data.spec import DatasetSpec

MISSING = "(missing)"
QUIET = "SET enable_progress_bar = false"  # no progress bars on a server's stderr


def quoted(name: str) -> str:
    """A column name as a SQL identifier (names come from the checked spec, not clients)."""
    return '"' + name.replace('"', '""') + '"'


def literal_path(path: str) -> str:
    """A file path as a SQL string literal: DuckDB takes no parameter in CREATE VIEW."""
    return "'" + path.replace("'", "''") + "'"


def view_sql(
    spec: DatasetSpec, files: list[str], number_columns, classes, scored: bool
) -> str:
    """CREATE VIEW rows: categories as text, numbers as float32 (NaN as NULL), the target
    as class codes (or float32 numbers), the measure and the score."""
    q = quoted
    parts = [f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in spec.category_columns]
    parts += [
        f"nullif(CAST({q(c)} AS FLOAT), 'NaN'::FLOAT) AS {q(c)}" for c in number_columns
    ]
    if spec.time_column:
        parts.append(f"CAST({q(spec.time_column)} AS TIMESTAMP) AS __t")
    target = q(spec.target)
    if classes:
        whens = " ".join(
            f"WHEN '{c.replace(chr(39), chr(39) * 2)}' THEN {i}"
            for i, c in enumerate(classes)
        )
        parts.append(
            f"CAST(CASE CAST({target} AS VARCHAR) {whens} END AS DOUBLE) AS __y"
        )
    else:
        parts.append(f"CAST(CAST({target} AS FLOAT) AS DOUBLE) AS __y")
    measure = f"CAST({q(spec.measure)} AS FLOAT)" if spec.measure else "NULL::FLOAT"
    parts.append(f"nullif({measure}, 'NaN'::FLOAT) AS __m")
    if scored:
        parts.append("CAST(__score AS DOUBLE) AS __s")
    source = ", ".join(literal_path(f) for f in files)
    return (
        f"CREATE OR REPLACE VIEW rows AS SELECT {', '.join(parts)} "
        f"FROM read_parquet([{source}])"
    )


@dataclass
class Where:
    """A WHERE clause and its named parameters."""

    clauses: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses) or "TRUE"


def where_sql(filters: Filters, missing_columns) -> Where:
    """The rows a validated Filters keeps, as data/dataset.py's filter() keeps them."""
    out = Where()
    if filters.start:
        start = dt.datetime.combine(filters.start, dt.time())
        out.clauses.append(f"__t >= {out.param(start)}")
    if filters.end:
        after = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time())
        out.clauses.append(f"__t < {out.param(after)}")
    for column, picks in filters.categories.items():
        known = [p for p in picks if p != MISSING]
        either = [f"{quoted(column)} IS NULL"] if MISSING in picks else []
        if known:
            listed = ", ".join(out.param(p) for p in known)
            either.append(f"{quoted(column)} IN ({listed})")
        out.clauses.append("(" + " OR ".join(either) + ")")
    for column, (low, high) in filters.ranges.items():
        c = quoted(column)
        inside = (
            f"{c} >= CAST({out.param(float(low))} AS FLOAT) "
            f"AND {c} <= CAST({out.param(float(high))} AS FLOAT)"
        )
        if filters.keep_missing and column in missing_columns:
            inside += f" OR {c} IS NULL"
        out.clauses.append(f"({inside})")
    if not filters.keep_missing and missing_columns:
        absent = " OR ".join(f"{quoted(c)} IS NULL" for c in missing_columns)
        out.clauses.append(f"NOT ({absent})")
    return out


def bin_key(column: str, edges: np.ndarray, where: Where) -> str:
    """searchsorted(edges, v, 'right') - 1 clipped to the bins; missing is the last key."""
    v, n = f"CAST({quoted(column)} AS DOUBLE)", edges.size
    whens = " ".join(
        f"WHEN {v} < {where.param(float(edges[i + 1]))} THEN {i}" for i in range(n - 2)
    )
    return f"CASE WHEN {v} IS NULL THEN {n - 1} {whens} ELSE {n - 2} END"


def histogram_key(
    low: float, high: float, n_bins: int, where: Where
) -> tuple[str, str, str]:
    """np.histogram's bin of the clipped measure (float32 clipped, then float64) with its
    one-ulp corrections at the edges, NULL where the measure is missing: the value and the
    first guess (inner query), then the corrected bin (outer query, over __hx and __hi)."""
    lo = f"CAST({where.param(float(low))} AS FLOAT)"
    hi = f"CAST({where.param(float(high))} AS FLOAT)"
    float32_edges = np.histogram_bin_edges(np.zeros(0, np.float32), n_bins, (low, high))
    edges = where.param([float(e) for e in float32_edges])
    value = f"CAST(greatest(least(__m, {hi}), {lo}) AS DOUBLE)"
    first = where.param(float(low))
    denom = where.param(float(high) - float(low))
    # least() skips NULLs, so a missing measure is kept NULL by hand.
    guess = (
        f"CASE WHEN __m IS NOT NULL THEN least(CAST(trunc(({value} - {first}) / "
        f"{denom} * {n_bins}) AS BIGINT), {n_bins - 1}) END"
    )
    corrected = (
        f"CASE WHEN __hx < {edges}[__hi + 1] THEN __hi - 1 "
        f"WHEN __hx >= {edges}[__hi + 2] AND __hi != {n_bins - 1} THEN __hi + 1 "
        f"ELSE __hi END"
    )
    return value, guess, corrected
