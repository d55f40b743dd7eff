"""Aggregates of a Dataset view, the Overview's and the report's: small frames built from a
backend's group sums (data/backend.py), so both backends share every step after the sums.

Each returns a small frame built once at the end: nothing here hands raw rows to a caller.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.backend import DatasetView as Dataset


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _grouped(
    ds: Dataset, key_name: str, with_rows: bool = True
) -> dict[str, np.ndarray]:
    """Rows, labelled rows, target mean and score mean per group key (a fresh dict)."""
    groups = ds.per_view(
        f"grouped:{key_name}:{with_rows}", lambda: ds.group_sums(key_name, with_rows)
    )
    return dict(groups)


def _select(groups: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {name: values[keep] for name, values in groups.items()}


def kpis(ds: Dataset) -> dict[str, float | int | None]:
    """Headline numbers for the view."""
    out = dict(ds.per_view("headline", ds.headline))
    if ds.multiclass:
        out["target_mean"] = None
        out["class_shares"] = class_shares(ds) if out["labelled"] else {}
    return out


def by_category(ds: Dataset, column: str) -> pd.DataFrame:
    """Per category of `column`: rows, target mean (e.g. delay rate), mean score; busiest first."""
    groups = _grouped(ds, f"cat:{column}")
    order = np.argsort(-groups["rows"], kind="stable")
    order = order[groups["rows"][order] > 0]
    names = np.asarray(ds.categories(column), dtype=object)
    return pd.DataFrame({column: names[order], **_select(groups, order)})


def hour_weekday(ds: Dataset) -> pd.DataFrame:
    """Target mean by weekday (rows, 0 = Monday) and hour (columns)."""
    low, high = (int(b) for b in ds.bounds(ds.spec.hour_column))
    matrix = _grouped(ds, "hour_weekday", with_rows=False)["target_mean"].reshape(
        7, high - low + 1
    )
    return pd.DataFrame(matrix, index=range(7), columns=range(low, high + 1))


def daily(ds: Dataset, window: int = 7) -> pd.DataFrame:
    """Per day with data: rows, target mean, and its rolling mean over `window` days."""
    groups = _grouped(ds, "day")
    # Roll over calendar days, so a filtered view with gaps still means "the last 7 days".
    positives = np.nan_to_num(groups["target_mean"]) * groups["labelled"]
    kernel = np.ones(window)
    rolled = np.convolve(positives, kernel)[: ds.n_days]
    counts = np.convolve(groups["labelled"], kernel)[: ds.n_days]
    keep = np.flatnonzero(groups["rows"] > 0)
    dates = np.datetime64(ds.first_day, "D") + keep
    rolling = _mean(rolled, counts)[keep]
    return pd.DataFrame({"date": dates, **_select(groups, keep), "rolling": rolling})


def measure_histogram(ds: Dataset, n_bins: int = 66) -> pd.DataFrame:
    """Counts of the measure (e.g. departure delay) in fixed bins; the ends are clipped."""
    low, high = ds.spec.measure_clip or ds.memoized("measure_span", ds.measure_span)
    counts = ds.per_view(
        f"histogram:{n_bins}", lambda: ds.measure_counts(low, high, n_bins)
    )
    # np.histogram's own edges for the float32 measure (both backends keep it float32).
    edges = np.histogram_bin_edges(np.zeros(0, np.float32), n_bins, (low, high))
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "count": counts})


def by_bins(ds: Dataset, column: str) -> pd.DataFrame:
    """Target mean per quantile bin of a numeric column; bins are fixed on the full data."""
    edges = ds.bin_edges(column)
    groups = _select(
        _grouped(ds, f"bin:{column}", with_rows=False), slice(0, edges.size - 1)
    )
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], **groups})


def routes(ds: Dataset, top: int | None = None) -> pd.DataFrame:
    """Per origin→dest pair: rows, target mean, mean measure; busiest first."""
    geo = ds.spec.geo
    origins, dests = ds.categories(geo.origin), ds.categories(geo.dest)
    groups = _grouped(ds, "route")
    if ds.spec.measure:
        groups["measure_mean"] = ds.per_view("route_measure", ds.route_measure_means)
    busy = np.flatnonzero(groups["rows"] > 0)
    order = busy[np.argsort(-groups["rows"][busy], kind="stable")][:top]
    return pd.DataFrame(
        {
            geo.origin: np.asarray(origins, dtype=object)[order // len(dests)],
            geo.dest: np.asarray(dests, dtype=object)[order % len(dests)],
            **_select(groups, order),
        }
    )


def coordinates(ds: Dataset, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Lat and lon per category code of the origin or dest column (NaN when unknown)."""
    return ds.memoized(f"coords:{end}", lambda: ds.coordinates(end))


def airports(ds: Dataset, end: str) -> pd.DataFrame:
    """Per origin or dest airport with known coordinates: rows, target mean, lat, lon."""
    column = ds.spec.geo.origin if end == "origin" else ds.spec.geo.dest
    groups = _grouped(ds, f"cat:{column}")
    lat, lon = coordinates(ds, end)
    keep = np.flatnonzero((groups["rows"] > 0) & np.isfinite(lat))
    names = np.asarray(ds.categories(column), dtype=object)
    return pd.DataFrame(
        {
            "airport": names[keep],
            **_select(groups, keep),
            "lat": lat[keep],
            "lon": lon[keep],
        }
    )


def route_coordinates(ds: Dataset, routes: pd.DataFrame) -> np.ndarray:
    """Columns origin lat, origin lon, dest lat, dest lon for each route row."""
    geo = ds.spec.geo
    out = []
    for end, column in (("origin", geo.origin), ("dest", geo.dest)):
        index = ds.memoized(
            f"index:{column}",
            lambda c=column: {name: i for i, name in enumerate(ds.categories(c))},
        )
        codes = np.array([index[name] for name in routes[column]], dtype=np.intp)
        lat, lon = coordinates(ds, end)
        out += [lat[codes], lon[codes]]
    return np.column_stack(out) if out[0].size else np.empty((0, 4))


def class_counts(ds: Dataset, key_name: str) -> np.ndarray:
    """Labelled rows per group key and class: a (keys x classes) count matrix."""
    return ds.per_view(f"classes:{key_name}", lambda: ds.class_counts(key_name))


def _shares(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)


def class_shares(ds: Dataset) -> dict[str, float]:
    """Each class's share of the labelled rows in view."""
    counts = ds.per_view("class_totals", ds.class_totals)
    total = max(int(counts.sum()), 1)
    return {c: n / total for c, n in zip(ds.classes, counts, strict=True)}


def class_mix_by_category(ds: Dataset, column: str) -> pd.DataFrame:
    """Per category of `column`, busiest first: labelled rows and each class's share."""
    counts = class_counts(ds, f"cat:{column}")
    rows = counts.sum(axis=1)
    order = np.argsort(-rows, kind="stable")
    order = order[rows[order] > 0]
    names = np.asarray(ds.categories(column), dtype=object)
    shares = _shares(counts[order])
    return pd.DataFrame(
        {column: names[order], "labelled": rows[order]}
        | {c: shares[:, i] for i, c in enumerate(ds.classes)}
    )


def class_mix_by_bins(ds: Dataset, column: str) -> pd.DataFrame:
    """Per bin of a numeric column: labelled rows and each class's share."""
    edges = ds.bin_edges(column)
    counts = class_counts(ds, f"bin:{column}")[: edges.size - 1]
    shares = _shares(counts)
    return pd.DataFrame(
        {"low": edges[:-1], "high": edges[1:], "labelled": counts.sum(axis=1)}
        | {c: shares[:, i] for i, c in enumerate(ds.classes)}
    )


def class_mix_daily(ds: Dataset, window: int = 7) -> pd.DataFrame:
    """Per day with data: each class's share over the last `window` calendar days."""
    counts = class_counts(ds, "day")
    kernel = np.ones(window)
    rolled = np.column_stack(
        [np.convolve(counts[:, i], kernel)[: ds.n_days] for i in range(counts.shape[1])]
    )
    keep = np.flatnonzero(counts.sum(axis=1) > 0)
    shares = _shares(rolled)[keep]
    dates = np.datetime64(ds.first_day, "D") + keep
    return pd.DataFrame(
        {"date": dates} | {c: shares[:, i] for i, c in enumerate(ds.classes)}
    )
