"""Aggregates of a Dataset view, computed with numpy bincount on precomputed group keys.

Each returns a small frame built once at the end: nothing here hands raw rows to a caller.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.dataset import Dataset


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _grouped(
    ds: Dataset, key_name: str, with_rows: bool = True
) -> dict[str, np.ndarray]:
    """Rows, labelled rows, target mean and score mean per group key (a fresh dict)."""
    groups = ds.per_view(
        f"grouped:{key_name}:{with_rows}", lambda: _group_sums(ds, key_name, with_rows)
    )
    return dict(groups)


def _group_sums(ds: Dataset, key_name: str, with_rows: bool) -> dict[str, np.ndarray]:
    keys_rows, keys, size = ds.keys_in_view(key_name, with_rows)
    n_lab = np.bincount(keys, minlength=size)
    out = {
        "rows": np.bincount(keys_rows, minlength=size) if with_rows else n_lab,
        "labelled": n_lab,
        "target_mean": _mean(np.bincount(keys, ds.labelled_target, size), n_lab),
    }
    if ds.labelled_score is not None:
        out["score_mean"] = _mean(np.bincount(keys, ds.labelled_score, size), n_lab)
    return out


def _select(groups: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {name: values[keep] for name, values in groups.items()}


def kpis(ds: Dataset) -> dict[str, float | int | None]:
    """Headline numbers for the view."""
    lab = ds.labelled
    out: dict[str, float | int | None] = {
        "rows": int(ds.rows.size),
        "labelled": int(lab.size),
        "missing_target": int(ds.rows.size - lab.size),
        "target_mean": float(ds.labelled_target.mean()) if lab.size else None,
        "measure_mean": None,
        "score_mean": None,
    }
    if ds.multiclass:
        out["target_mean"] = None
        out["class_shares"] = class_shares(ds) if lab.size else {}
    measure = ds.measure_in_view
    if measure is not None and measure.size:
        out["measure_mean"] = float(measure.mean())
    if ds.labelled_score is not None and lab.size:
        out["score_mean"] = float(ds.labelled_score.mean())
    return out


def by_category(ds: Dataset, column: str) -> pd.DataFrame:
    """Per category of `column`: rows, target mean (e.g. delay rate), mean score; busiest first."""
    groups = _grouped(ds, f"cat:{column}")
    order = np.argsort(-groups["rows"], kind="stable")
    order = order[groups["rows"][order] > 0]
    names = np.asarray(ds.columns.categories[column], dtype=object)
    return pd.DataFrame({column: names[order], **_select(groups, order)})


def hour_weekday(ds: Dataset) -> pd.DataFrame:
    """Target mean by weekday (rows, 0 = Monday) and hour (columns)."""
    low, high = (int(b) for b in ds.columns.bounds[ds.spec.hour_column])
    matrix = _grouped(ds, "hour_weekday", with_rows=False)["target_mean"].reshape(
        7, high - low + 1
    )
    return pd.DataFrame(matrix, index=range(7), columns=range(low, high + 1))


def daily(ds: Dataset, window: int = 7) -> pd.DataFrame:
    """Per day with data: rows, target mean, and its rolling mean over `window` days."""
    cols = ds.columns
    groups = _grouped(ds, "day")
    # Roll over calendar days, so a filtered view with gaps still means "the last 7 days".
    positives = np.nan_to_num(groups["target_mean"]) * groups["labelled"]
    kernel = np.ones(window)
    rolled = np.convolve(positives, kernel)[: cols.n_days]
    counts = np.convolve(groups["labelled"], kernel)[: cols.n_days]
    keep = np.flatnonzero(groups["rows"] > 0)
    dates = np.datetime64(cols.first_day, "D") + keep
    rolling = _mean(rolled, counts)[keep]
    return pd.DataFrame({"date": dates, **_select(groups, keep), "rolling": rolling})


def measure_histogram(ds: Dataset, n_bins: int = 66) -> pd.DataFrame:
    """Counts of the measure (e.g. departure delay) in fixed bins; the ends are clipped."""
    low, high = ds.spec.measure_clip or ds.memoized(
        "measure_span",
        lambda: (
            float(np.nanmin(ds.columns.measure)),
            float(np.nanmax(ds.columns.measure)),
        ),
    )
    counts, edges = np.histogram(
        np.clip(ds.measure_in_view, low, high), bins=n_bins, range=(low, high)
    )
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "count": counts})


def by_bins(ds: Dataset, column: str) -> pd.DataFrame:
    """Target mean per quantile bin of a numeric column; bins are fixed on the full data."""
    edges = ds.columns.bin_edges[column]
    groups = _select(
        _grouped(ds, f"bin:{column}", with_rows=False), slice(0, edges.size - 1)
    )
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], **groups})


def routes(ds: Dataset, top: int | None = None) -> pd.DataFrame:
    """Per origin→dest pair: rows, target mean, mean measure; busiest first."""
    geo, cols = ds.spec.geo, ds.columns
    origins, dests = cols.categories[geo.origin], cols.categories[geo.dest]
    groups = _grouped(ds, "route")
    if cols.measure is not None:
        keys_rows, _, size = ds.keys_in_view("route")
        values = cols.measure if ds.mask is None else cols.measure[ds.rows]
        ok = np.isfinite(values)
        keys = keys_rows[ok]
        totals = np.bincount(keys, values[ok].astype(np.float64), size)
        groups["measure_mean"] = _mean(totals, np.bincount(keys, minlength=size))
    busy = np.flatnonzero(groups["rows"] > 0)
    order = busy[np.argsort(-groups["rows"][busy], kind="stable")][:top]
    return pd.DataFrame(
        {
            geo.origin: np.asarray(origins, dtype=object)[order // len(dests)],
            geo.dest: np.asarray(dests, dtype=object)[order % len(dests)],
            **_select(groups, order),
        }
    )


def _ends(ds: Dataset, end: str) -> tuple[str, str, str]:
    geo = ds.spec.geo
    if end == "origin":
        return geo.origin, geo.origin_lat, geo.origin_lon
    return geo.dest, geo.dest_lat, geo.dest_lon


def coordinates(ds: Dataset, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Lat and lon per category code of the origin or dest column (NaN when unknown)."""
    return ds.memoized(f"coords:{end}", lambda: _coordinates(ds, end))


def _coordinates(ds: Dataset, end: str) -> tuple[np.ndarray, np.ndarray]:
    column, lat, lon = _ends(ds, end)
    cols = ds.columns
    codes, size = cols.codes[column], len(cols.categories[column])
    lats, lons = cols.numbers[lat], cols.numbers[lon]
    ok = np.isfinite(lats) & np.isfinite(lons)
    first = np.full(size, -1)
    rows = np.flatnonzero(ok)
    first[codes[rows][::-1]] = rows[::-1]
    found = first >= 0
    out_lat, out_lon = np.full(size, np.nan), np.full(size, np.nan)
    out_lat[found], out_lon[found] = lats[first[found]], lons[first[found]]
    return out_lat, out_lon


def airports(ds: Dataset, end: str) -> pd.DataFrame:
    """Per origin or dest airport with known coordinates: rows, target mean, lat, lon."""
    column = _ends(ds, end)[0]
    groups = _grouped(ds, f"cat:{column}")
    lat, lon = coordinates(ds, end)
    keep = np.flatnonzero((groups["rows"] > 0) & np.isfinite(lat))
    names = np.asarray(ds.columns.categories[column], dtype=object)
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
            lambda c=column: {
                name: i for i, name in enumerate(ds.columns.categories[c])
            },
        )
        codes = np.array([index[name] for name in routes[column]], dtype=np.intp)
        lat, lon = coordinates(ds, end)
        out += [lat[codes], lon[codes]]
    return np.column_stack(out) if out[0].size else np.empty((0, 4))


def class_counts(ds: Dataset, key_name: str) -> np.ndarray:
    """Labelled rows per group key and class: a (keys x classes) count matrix."""

    def compute() -> np.ndarray:
        _, keys, size = ds.keys_in_view(key_name, with_rows=False)
        k = len(ds.columns.classes)
        cells = keys * k + ds.labelled_target.astype(np.intp)
        return np.bincount(cells, minlength=size * k).reshape(size, k)

    return ds.per_view(f"classes:{key_name}", compute)


def _shares(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)


def class_shares(ds: Dataset) -> dict[str, float]:
    """Each class's share of the labelled rows in view."""
    counts = np.bincount(
        ds.labelled_target.astype(np.intp), minlength=len(ds.columns.classes)
    )
    total = max(int(counts.sum()), 1)
    return {c: n / total for c, n in zip(ds.columns.classes, counts, strict=True)}


def class_mix_by_category(ds: Dataset, column: str) -> pd.DataFrame:
    """Per category of `column`, busiest first: labelled rows and each class's share."""
    counts = class_counts(ds, f"cat:{column}")
    rows = counts.sum(axis=1)
    order = np.argsort(-rows, kind="stable")
    order = order[rows[order] > 0]
    names = np.asarray(ds.columns.categories[column], dtype=object)
    shares = _shares(counts[order])
    return pd.DataFrame(
        {column: names[order], "labelled": rows[order]}
        | {c: shares[:, i] for i, c in enumerate(ds.columns.classes)}
    )


def class_mix_by_bins(ds: Dataset, column: str) -> pd.DataFrame:
    """Per bin of a numeric column: labelled rows and each class's share."""
    edges = ds.columns.bin_edges[column]
    counts = class_counts(ds, f"bin:{column}")[: edges.size - 1]
    shares = _shares(counts)
    return pd.DataFrame(
        {"low": edges[:-1], "high": edges[1:], "labelled": counts.sum(axis=1)}
        | {c: shares[:, i] for i, c in enumerate(ds.columns.classes)}
    )


def class_mix_daily(ds: Dataset, window: int = 7) -> pd.DataFrame:
    """Per day with data: each class's share over the last `window` calendar days."""
    cols = ds.columns
    counts = class_counts(ds, "day")
    kernel = np.ones(window)
    rolled = np.column_stack(
        [
            np.convolve(counts[:, i], kernel)[: cols.n_days]
            for i in range(counts.shape[1])
        ]
    )
    keep = np.flatnonzero(counts.sum(axis=1) > 0)
    shares = _shares(rolled)[keep]
    dates = np.datetime64(cols.first_day, "D") + keep
    return pd.DataFrame(
        {"date": dates} | {c: shares[:, i] for i, c in enumerate(cols.classes)}
    )
