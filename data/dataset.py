"""The in-memory Dataset: numpy arrays built once, filtered by masks, aggregated by bincount."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.backend import ViewCaches
from data.categories import category_order, integer_levels
from data.filters import (
    FilterError,
    Filters,
    missing_words,
    parse_choices,
    parse_date,
    parse_missing,
    parse_range,
)
from data.inputs import shorten
from data.names import display_names
from data.spec import DatasetSpec
from data.target import target_numbers

MISSING = "(missing)"
N_BINS = 8


@dataclass(frozen=True)
class Columns:
    """Arrays shared by every filtered view of one dataset; never mutated."""

    codes: dict[str, np.ndarray]
    categories: dict[str, list[str]]
    numbers: dict[str, np.ndarray]
    bounds: dict[str, tuple[float, float]]
    bin_edges: dict[str, np.ndarray]
    target: np.ndarray
    measure: np.ndarray | None
    day: np.ndarray | None
    weekday: np.ndarray | None
    first_day: dt.date | None
    n_days: int
    keys: dict[str, tuple[np.ndarray, int]]
    classes: tuple[str, ...] = ()
    score: np.ndarray | None = None
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: dict[str, np.ndarray] = field(default_factory=dict)


def _encode(series: pd.Series, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Category codes for `names` (in the order people read them); missing gets a name."""
    codes = pd.Categorical(series.astype("string"), categories=names).codes
    codes, names = codes.astype(np.int32), list(names)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names.append(MISSING)
    return codes, names


def _bin_edges(values: np.ndarray) -> np.ndarray:
    """One bin per value for whole numbers with few values; else equal-width bins over the
    1st-99th percentile, with open-ended bins for the tails."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([0.0, 1.0])
    levels = integer_levels(finite)
    if levels:
        return level_edges(levels)
    low, high = np.quantile(finite, [0.01, 0.99])
    return spread_edges(low, high, finite.min(), finite.max())


def level_edges(levels: list[float]) -> np.ndarray:
    """One bin per whole-number value."""
    return np.array([levels[0] - 0.5, *(v + 0.5 for v in levels)])


def spread_edges(low: float, high: float, smallest, largest) -> np.ndarray:
    """Equal-width bins from the 1st (`low`) to the 99th (`high`) percentile, rounded,
    with open-ended bins out to the smallest and largest values."""
    if high <= low:
        low, high = float(smallest), float(largest) + 1.0
    inner = np.unique(np.round(np.linspace(low, high, N_BINS + 1), 2))
    return np.unique(np.concatenate([[smallest], inner, [largest]]))


def _group_keys(
    spec: DatasetSpec, codes, categories, numbers, bin_edges, day, weekday, n_days
):
    """Integer group keys for every aggregate, built once so a refresh only gathers."""
    keys = {f"cat:{c}": (codes[c], len(categories[c])) for c in codes}
    for column, edges in bin_edges.items():
        values = numbers[column]
        key = np.clip(
            np.searchsorted(edges, values, side="right") - 1, 0, edges.size - 2
        )
        keys[f"bin:{column}"] = (
            np.where(np.isfinite(values), key, edges.size - 1).astype(np.int32),
            edges.size,
        )
    if day is not None:
        keys["day"] = (day, n_days)
    if day is not None and spec.hour_column:
        hours = numbers[spec.hour_column]
        low, high = int(np.nanmin(hours)), int(np.nanmax(hours))
        width = high - low + 1
        key = weekday.astype(np.int32) * width + (
            np.nan_to_num(hours, nan=low) - low
        ).astype(np.int32)
        keys["hour_weekday"] = (key, 7 * width)
    if spec.geo:
        n_dest = len(categories[spec.geo.dest])
        key = codes[spec.geo.origin].astype(np.int32) * n_dest + codes[spec.geo.dest]
        keys["route"] = (key, len(categories[spec.geo.origin]) * n_dest)
    # bincount is ~10x faster on intp keys and float64 weights than on narrower types.
    return {name: (key.astype(np.intp), size) for name, (key, size) in keys.items()}


def _number_columns(spec: DatasetSpec) -> list[str]:
    wanted = [*spec.number_features, *spec.range_filters, *spec.bin_columns]
    if spec.hour_column:
        wanted.append(spec.hour_column)
    if spec.geo:
        g = spec.geo
        wanted += [g.origin_lat, g.origin_lon, g.dest_lat, g.dest_lon]
    return list(dict.fromkeys(wanted))


def _shortest(value: np.float32) -> float:
    """A float32 as its shortest decimal (9.71, not 9.710000038): sliders and links read it,
    and filters compare it in float32, so it still matches the same rows."""
    return float(str(np.float32(value)))


def _display_order(spec: DatasetSpec, column: str, values: pd.Series) -> list[str]:
    kind, order = "category", ()
    if column in spec.category_features:
        feat = spec.feature(column)
        kind, order = feat.kind, feat.order
    return category_order(values.astype("string").dropna().unique(), kind, order)


def build_columns(
    frame: pd.DataFrame, spec: DatasetSpec, classes: list[str] | tuple = ()
) -> Columns:
    """Turn a processed frame into the arrays the Dataset works on."""
    cat_cols = spec.category_columns
    encoded = {
        c: _encode(frame[c], _display_order(spec, c, frame[c])) for c in cat_cols
    }
    numbers = {
        c: frame[c].to_numpy(np.float32, na_value=np.nan) for c in _number_columns(spec)
    }
    bounds = {
        c: (_shortest(np.nanmin(v)), _shortest(np.nanmax(v)))
        for c, v in numbers.items()
    }
    day = weekday = first = None
    n_days = 0
    if spec.time_column:
        stamps = pd.to_datetime(frame[spec.time_column])
        first = stamps.min().date()
        day = (stamps.dt.normalize() - pd.Timestamp(first)).dt.days.to_numpy(np.int32)
        weekday = stamps.dt.day_of_week.to_numpy(np.int8)
        n_days = int(day.max()) + 1
    measure = (
        frame[spec.measure].to_numpy(np.float32, na_value=np.nan)
        if spec.measure
        else None
    )
    codes = {c: e[0] for c, e in encoded.items()}
    categories = {c: e[1] for c, e in encoded.items()}
    bin_edges = {c: _bin_edges(numbers[c]) for c in spec.bin_columns}
    return Columns(
        codes=codes,
        categories=categories,
        numbers=numbers,
        bounds=bounds,
        bin_edges=bin_edges,
        keys=_group_keys(
            spec, codes, categories, numbers, bin_edges, day, weekday, n_days
        ),
        target=target_numbers(frame[spec.target]).astype(np.float32),
        classes=tuple(classes),
        measure=measure,
        day=day,
        weekday=weekday,
        first_day=first,
        n_days=n_days,
        names=display_names(spec, categories),
        missing=missing_rows(spec, numbers),
    )


def missing_rows(spec: DatasetSpec, numbers: dict) -> dict[str, np.ndarray]:
    """Rows with no value, for each range filter column that has any (flights with no
    weather record): a narrowed slider keeps them or not, as the user chooses."""
    out = {}
    for column in spec.range_filters:
        absent = np.isnan(numbers[column])
        if absent.any():
            out[column] = absent
    return out


class Dataset(ViewCaches):
    """One view of the data: the shared columns plus a row mask. filter() returns a new view."""

    def __init__(
        self,
        spec: DatasetSpec,
        columns: Columns,
        mask: np.ndarray | None = None,
        memo: dict | None = None,
    ):
        self.spec = spec
        self.columns = columns
        self.mask = mask
        self._memo = {} if memo is None else memo
        self._view_cache: dict = {}

    @property
    def unfiltered(self) -> bool:
        return self.mask is None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, spec: DatasetSpec, classes=()) -> Dataset:
        return cls(spec, build_columns(frame, spec, classes))

    @property
    def multiclass(self) -> bool:
        return len(self.columns.classes) > 2

    def with_scores(self, scores: np.ndarray) -> Dataset:
        """The same data with the model's predicted value for every row."""
        columns = Columns(
            **{**self.columns.__dict__, "score": np.asarray(scores, np.float32)}
        )
        return Dataset(self.spec, columns, self.mask)

    def precompute_full_view(self) -> int:
        """Compute the unfiltered view's per-row arrays now, not on the first request;
        returns their size in bytes.

        Computed at start-up (model.live_scores.live_dataset), they are built once in gunicorn's
        preloaded master and shared by every worker; computed on first use, each worker
        built its own copy (~28 MB each for the flights).
        """
        full = Dataset(self.spec, self.columns, None, self._memo)
        arrays = [full.rows, full.labelled_target, full.labelled_score]
        arrays += [full.measure_in_view]
        arrays += [full.keys_in_view(k, with_rows=False)[1] for k in self.columns.keys]
        return sum(a.nbytes for a in arrays if a is not None)

    @property
    def total_rows(self) -> int:
        return int(self.columns.target.size)

    def categories(self, column: str) -> list[str]:
        return self.columns.categories[column]

    def names(self, column: str) -> dict[str, str]:
        """code -> display name of a category column ('UA' -> 'United Air Lines Inc.');
        codes without a name are left out (show the code). A copy: change it freely."""
        return dict(self.columns.names.get(column, {}))

    def bounds(self, column: str) -> tuple[float, float]:
        return self.columns.bounds[column]

    @property
    def date_span(self) -> tuple[dt.date, dt.date] | None:
        if self.columns.first_day is None:
            return None
        first = self.columns.first_day
        return first, first + dt.timedelta(days=self.columns.n_days - 1)

    def parse_filters(
        self, dates=None, categories=None, ranges=None, missing=None
    ) -> Filters:
        """Check raw client values against this data; raise FilterError with a clear message.

        `missing`: keep the rows with no value in a range filter (True, the default) or
        leave them out (False); it means nothing for data without such rows.
        """
        categories, ranges = categories or {}, ranges or {}
        keep = parse_missing(missing) or not self.missing_columns
        start = parse_date(dates[0] if dates else None, "start date")
        end = parse_date(dates[1] if dates and len(dates) > 1 else None, "end date")
        if start and end and start > end:
            raise FilterError("the start date is after the end date")
        start, end = self._within_span(start, end)
        picks = {}
        for column, value in categories.items():
            if column not in self.spec.category_filters:
                raise FilterError(f"'{shorten(column)}' is not a filter")
            picks[column] = parse_choices(
                value, self.spec.label(column), set(self.categories(column))
            )
        spans = {}
        for column, value in ranges.items():
            if column not in self.spec.range_filters:
                raise FilterError(f"'{shorten(column)}' is not a filter")
            span = parse_range(value, self.spec.label(column), self.bounds(column))
            if span:
                spans[column] = span
        picks = {k: v for k, v in picks.items() if v}
        return Filters(start, end, picks, spans, keep_missing=keep)

    def _within_span(self, start, end):
        """Date bounds that keep every row are no filter: the Overview's first load sends
        the whole span, and the unfiltered view's aggregates are computed once and shared."""
        span = self.date_span
        if span is None:
            return start, end
        return (
            None if start and start <= span[0] else start,
            None if end and end >= span[1] else end,
        )

    def filter(self, filters: Filters) -> Dataset:
        """A new view with only the rows that match every filter."""
        cols = self.columns
        if filters == Filters():
            return Dataset(self.spec, cols, None, self._memo)
        mask = np.ones(self.total_rows, dtype=bool)
        if cols.day is not None and (filters.start or filters.end):
            first = cols.first_day
            if filters.start:
                mask &= cols.day >= (filters.start - first).days
            if filters.end:
                mask &= cols.day <= (filters.end - first).days
        for column, picks in filters.categories.items():
            allowed = np.zeros(len(cols.categories[column]), dtype=bool)
            allowed[[cols.categories[column].index(p) for p in picks]] = True
            mask &= allowed[cols.codes[column]]
        for column, (low, high) in filters.ranges.items():
            values = cols.numbers[column]
            inside = (values >= low) & (values <= high)
            if filters.keep_missing and column in cols.missing:
                inside |= cols.missing[column]
            mask &= inside
        if not filters.keep_missing and cols.missing:
            mask &= self.memoized("complete", lambda: ~self._incomplete())
        return Dataset(self.spec, cols, mask, self._memo)

    def _incomplete(self) -> np.ndarray:
        return np.logical_or.reduce(list(self.columns.missing.values()))

    @property
    def missing_columns(self) -> tuple[str, ...]:
        """The range filter columns with rows that have no value."""
        return tuple(self.columns.missing)

    @property
    def missing_words(self) -> str:
        """'1,634 flights with missing weather readings'; '' when no row lacks a value."""
        if not self.missing_columns:
            return ""
        spec = self.spec
        return missing_words(
            spec.row_label,
            self.missing_count,
            spec.filters.missing_label,
            [spec.label(c) for c in self.missing_columns],
        )

    @property
    def missing_count(self) -> int:
        """Rows with no value in some range filter (e.g. flights with no weather record)."""
        if not self.columns.missing:
            return 0
        return self.memoized("missing", lambda: int(self._incomplete().sum()))

    @property
    def rows(self) -> np.ndarray:
        """Indices of the rows in view."""
        if self.mask is None:
            return self.per_view("rows", lambda: np.arange(self.total_rows))
        return self.per_view("rows", lambda: np.flatnonzero(self.mask))

    @property
    def labelled(self) -> np.ndarray:
        """Indices of the rows in view that have a target (e.g. flights not cancelled)."""

        def compute() -> np.ndarray:
            finite = np.isfinite(self.columns.target)
            return np.flatnonzero(finite if self.mask is None else self.mask & finite)

        return self.per_view("labelled", compute)

    @property
    def labelled_target(self) -> np.ndarray:
        return self.per_view(
            "target", lambda: self.columns.target[self.labelled].astype(np.float64)
        )

    @property
    def labelled_score(self) -> np.ndarray | None:
        score = self.columns.score
        if score is None:
            return None
        return self.per_view("score", lambda: score[self.labelled].astype(np.float64))

    @property
    def measure_in_view(self) -> np.ndarray | None:
        """The measure (e.g. departure delay) of the rows in view, where known."""
        measure = self.columns.measure
        if measure is None:
            return None

        def compute() -> np.ndarray:
            values = measure if self.mask is None else measure[self.rows]
            return values[np.isfinite(values)]

        return self.per_view("measure", compute)

    def keys_in_view(
        self, name: str, with_rows: bool = True
    ) -> tuple[np.ndarray | None, np.ndarray, int]:
        """Group keys of the rows in view and of the labelled rows in view, and the key count."""
        key, size = self.columns.keys[name]
        labelled = self.per_view(f"keys:{name}", lambda: key[self.labelled])
        if not with_rows:
            return None, labelled, size
        rows = (
            key
            if self.mask is None
            else self.per_view(f"rows:{name}", lambda: key[self.rows])
        )
        return rows, labelled, size

    # The primitives data/aggregates.py builds the Overview from (data/backend.py).
    @property
    def classes(self) -> tuple[str, ...]:
        return self.columns.classes

    @property
    def first_day(self) -> dt.date | None:
        return self.columns.first_day

    @property
    def n_days(self) -> int:
        return self.columns.n_days

    def bin_edges(self, column: str) -> np.ndarray:
        return self.columns.bin_edges[column]

    def headline(self) -> dict[str, float | int | None]:
        """Rows, labelled rows, missing targets, and the target's, measure's, score's means."""
        lab = self.labelled
        out: dict[str, float | int | None] = {
            "rows": int(self.rows.size),
            "labelled": int(lab.size),
            "missing_target": int(self.rows.size - lab.size),
            "target_mean": float(self.labelled_target.mean()) if lab.size else None,
            "measure_mean": None,
            "score_mean": None,
        }
        measure = self.measure_in_view
        if measure is not None and measure.size:
            out["measure_mean"] = float(measure.mean())
        if self.labelled_score is not None and lab.size:
            out["score_mean"] = float(self.labelled_score.mean())
        return out

    def group_sums(self, name: str, with_rows: bool = True) -> dict[str, np.ndarray]:
        """Rows, labelled rows, target mean and score mean per value of a group key."""
        keys_rows, keys, size = self.keys_in_view(name, with_rows)
        n_lab = np.bincount(keys, minlength=size)
        out = {
            "rows": np.bincount(keys_rows, minlength=size) if with_rows else n_lab,
            "labelled": n_lab,
            "target_mean": _mean(np.bincount(keys, self.labelled_target, size), n_lab),
        }
        if self.labelled_score is not None:
            out["score_mean"] = _mean(
                np.bincount(keys, self.labelled_score, size), n_lab
            )
        return out

    def route_measure_means(self) -> np.ndarray:
        """The measure's mean per route key over the rows in view where it is known."""
        measure = self.columns.measure
        keys_rows, _, size = self.keys_in_view("route")
        values = measure if self.mask is None else measure[self.rows]
        ok = np.isfinite(values)
        keys = keys_rows[ok]
        totals = np.bincount(keys, values[ok].astype(np.float64), size)
        return _mean(totals, np.bincount(keys, minlength=size))

    def measure_span(self) -> tuple[float, float]:
        measure = self.columns.measure
        return float(np.nanmin(measure)), float(np.nanmax(measure))

    def measure_counts(self, low: float, high: float, n_bins: int) -> np.ndarray:
        """The measure's counts in `n_bins` equal bins over [low, high], the ends clipped."""
        clipped = np.clip(self.measure_in_view, low, high)
        return np.histogram(clipped, bins=n_bins, range=(low, high))[0]

    def class_counts(self, name: str) -> np.ndarray:
        """Labelled rows per group key and class: a (keys x classes) count matrix."""
        _, keys, size = self.keys_in_view(name, with_rows=False)
        k = len(self.columns.classes)
        cells = keys * k + self.labelled_target.astype(np.intp)
        return np.bincount(cells, minlength=size * k).reshape(size, k)

    def class_totals(self) -> np.ndarray:
        """Labelled rows in view per class."""
        codes = self.labelled_target.astype(np.intp)
        return np.bincount(codes, minlength=len(self.columns.classes))

    def coordinates(self, end: str) -> tuple[np.ndarray, np.ndarray]:
        """Lat and lon per code of the origin or dest column: its first row's that has both."""
        geo, cols = self.spec.geo, self.columns
        column, lat, lon = (
            (geo.origin, geo.origin_lat, geo.origin_lon)
            if end == "origin"
            else (geo.dest, geo.dest_lat, geo.dest_lon)
        )
        codes, size = cols.codes[column], len(cols.categories[column])
        lats, lons = cols.numbers[lat], cols.numbers[lon]
        rows = np.flatnonzero(np.isfinite(lats) & np.isfinite(lons))
        first = np.full(size, -1)
        first[codes[rows][::-1]] = rows[::-1]
        found = first >= 0
        out_lat, out_lon = np.full(size, np.nan), np.full(size, np.nan)
        out_lat[found], out_lon[found] = lats[first[found]], lons[first[found]]
        return out_lat, out_lon


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
