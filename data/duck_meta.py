"""What the DuckDB backend reads once about the Parquet (choices, bounds, bins, days,
coordinates), and the view methods it shares with the in-memory Dataset.

Each value is computed as data/dataset.py's build_columns computes it, in SQL, so a filter
checked by either backend accepts and refuses the same values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np

from data.backend import ViewCaches
from data.categories import MAX_LEVELS, category_order
from data.dataset import Dataset, _number_columns, _shortest, level_edges, spread_edges
from data.duck_sql import MISSING, QUIET, literal_path, quoted, view_sql
from data.filters import Filters
from data.names import display_names
from data.spec import DatasetSpec


@dataclass(frozen=True)
class DuckMeta:
    """Facts about the whole data, read once; small (no rows)."""

    files: tuple[str, ...]
    total_rows: int
    classes: tuple[str, ...]
    number_columns: tuple[str, ...]
    categories: dict[str, list[str]]
    index: dict[str, dict[str, int]]
    names: dict[str, dict[str, str]]
    bounds: dict[str, tuple[float, float]]
    bin_edges: dict[str, np.ndarray]
    first_day: dt.date | None
    n_days: int
    missing_columns: tuple[str, ...]
    missing_count: int
    measure_span: tuple[float, float] | None
    coordinates: dict[str, tuple[np.ndarray, np.ndarray]]


def read_meta(spec: DatasetSpec, files: tuple[str, ...], classes: tuple) -> DuckMeta:
    """Read the facts a view needs from the Parquet `files`, in a few aggregate queries."""
    numbers = tuple(_number_columns(spec))
    with duckdb.connect() as con:
        con.execute(QUIET)
        con.execute(view_sql(spec, list(files), numbers, classes, False))

        def one(sql: str, params=None) -> tuple:
            return con.execute(sql, params or {}).fetchall()[0]

        total = one("SELECT count(*) FROM rows")[0]
        categories = {c: _categories(con, spec, c) for c in spec.category_columns}
        bounds, absent = {}, {}
        for c in numbers:
            low, high, n_absent = one(
                f"SELECT min({quoted(c)}), max({quoted(c)}), "
                f"count(*) FILTER (WHERE {quoted(c)} IS NULL) FROM rows"
            )
            if low is not None:
                bounds[c] = (_shortest(np.float32(low)), _shortest(np.float32(high)))
            absent[c] = n_absent
        missing = tuple(c for c in spec.range_filters if absent[c])
        first_day, n_days = None, 0
        if spec.time_column:
            first, last = one(
                "SELECT min(CAST(__t AS DATE)), max(CAST(__t AS DATE)) FROM rows"
            )
            first_day, n_days = first, (last - first).days + 1
        measure_span = None
        if spec.measure:
            measure_span = tuple(
                float(v) for v in one("SELECT min(__m), max(__m) FROM rows")
            )
        n_missing = 0
        if missing:
            where = " OR ".join(f"{quoted(c)} IS NULL" for c in missing)
            n_missing = one(f"SELECT count(*) FROM rows WHERE {where}")[0]
        return DuckMeta(
            files=files,
            total_rows=total,
            classes=tuple(classes),
            number_columns=numbers,
            categories=categories,
            index={c: {v: i for i, v in enumerate(n)} for c, n in categories.items()},
            names=display_names(spec, categories),
            bounds=bounds,
            bin_edges={c: _edges(one, c) for c in spec.bin_columns},
            first_day=first_day,
            n_days=n_days,
            missing_columns=missing,
            missing_count=n_missing,
            measure_span=measure_span,
            coordinates=_coordinates(con, spec, files, categories) if spec.geo else {},
        )


def _categories(con, spec: DatasetSpec, column: str) -> list[str]:
    values = [
        v
        for (v,) in con.execute(
            f"SELECT DISTINCT {quoted(column)} FROM rows"
        ).fetchall()
    ]
    kind, order = "category", ()
    if column in spec.category_features:
        feat = spec.feature(column)
        kind, order = feat.kind, feat.order
    names = category_order([v for v in values if v is not None], kind, order)
    return names + [MISSING] if None in values else names


def _edges(one, column: str) -> np.ndarray:
    """data/dataset.py's _bin_edges, from SQL aggregates of the column."""
    c = quoted(column)
    n, whole, distinct, smallest, largest = one(
        f"SELECT count({c}), bool_and({c} = trunc({c})), count(DISTINCT {c}), "
        f"min({c}), max({c}) FROM rows"
    )
    if not n:
        return np.array([0.0, 1.0])
    if whole and distinct <= MAX_LEVELS:
        (levels,) = one(
            f"SELECT list(DISTINCT CAST({c} AS DOUBLE) ORDER BY 1) FROM rows"
        )
        return level_edges(sorted(levels))
    (quantiles,) = one(
        f"SELECT quantile_cont(CAST({c} AS DOUBLE), [0.01, 0.99]) FROM rows"
    )
    return spread_edges(quantiles[0], quantiles[1], smallest, largest)


def _coordinates(con, spec, files, categories) -> dict:
    """Lat and lon per origin and dest code: the first row's (in file order) that has both."""
    geo, out = spec.geo, {}
    source = ", ".join(literal_path(f) for f in files)
    for end, column, lat, lon in (
        ("origin", geo.origin, geo.origin_lat, geo.origin_lon),
        ("dest", geo.dest, geo.dest_lat, geo.dest_lon),
    ):
        c, la, lo = quoted(column), quoted(lat), quoted(lon)
        found = con.execute(
            f"SELECT CAST({c} AS VARCHAR), arg_min({la}, (filename, file_row_number)), "
            f"arg_min({lo}, (filename, file_row_number)) FROM read_parquet([{source}], "
            f"file_row_number = true, filename = true) WHERE {la} IS NOT NULL "
            f"AND NOT isnan({la}) AND {lo} IS NOT NULL AND NOT isnan({lo}) GROUP BY 1"
        ).fetchall()
        names = categories[column]
        lats, lons = np.full(len(names), np.nan), np.full(len(names), np.nan)
        index = {n: i for i, n in enumerate(names)}
        for code, la_value, lo_value in found:
            i = index[MISSING if code is None else code]
            lats[i], lons[i] = np.float32(la_value), np.float32(lo_value)
        out[end] = (lats, lons)
    return out


class MetaMethods(ViewCaches):
    """A DuckDB view's answers from its metadata, the in-memory Dataset's words for them."""

    spec: DatasetSpec
    meta: DuckMeta
    filters: Filters | None

    parse_filters = Dataset.parse_filters
    _within_span = Dataset._within_span
    missing_words = Dataset.missing_words
    date_span = Dataset.date_span

    @property
    def columns(self):  # date_span reads columns.first_day and columns.n_days
        return self.meta

    @property
    def total_rows(self) -> int:
        return self.meta.total_rows

    @property
    def classes(self) -> tuple[str, ...]:
        return self.meta.classes

    @property
    def multiclass(self) -> bool:
        return len(self.meta.classes) > 2

    @property
    def first_day(self) -> dt.date | None:
        return self.meta.first_day

    @property
    def n_days(self) -> int:
        return self.meta.n_days

    @property
    def missing_columns(self) -> tuple[str, ...]:
        return self.meta.missing_columns

    @property
    def missing_count(self) -> int:
        return self.meta.missing_count

    def categories(self, column: str) -> list[str]:
        return self.meta.categories[column]

    def names(self, column: str) -> dict[str, str]:
        return dict(self.meta.names.get(column, {}))

    def bounds(self, column: str) -> tuple[float, float]:
        return self.meta.bounds[column]

    def bin_edges(self, column: str) -> np.ndarray:
        return self.meta.bin_edges[column]

    def filter(self, filters: Filters):
        """A new view with only the rows that match every filter."""
        return self._view(None if filters == Filters() else filters)

    @property
    def unfiltered(self) -> bool:
        return self.filters is None
