"""Estimated and realized performance from score-bin sums, per period and per segment.

Estimated (CBPE): from the calibrated probabilities alone, before any outcome. Realized: from
the outcomes joined so far. Both read the same bins, so they compare like for like.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data.tables import monitor_scores
from monitor import stats
from monitor.store import sum_names

PERFORMANCE_COLUMNS = [
    "period",
    "metric",
    "estimated",
    "low",
    "high",
    "realized",
    "labeled",
    "n",
]
SEGMENT_COLUMNS = [
    "segment",
    "value",
    "n",
    "labeled",
    "metric",
    "realized",
    "low",
    "high",
    "estimated",
    "enough",
    "predicted_rate",
    "observed_rate",
]


MEASURES = sum_names(monitor_scores)
Bins = dict  # measure -> array of sums per score bin (ascending)


def grouped(frame: pd.DataFrame, keys: list[str], count: int) -> dict[tuple, Bins]:
    """Sums per group of `keys` and score bin, in one pass (np.bincount per measure)."""
    if frame.empty:
        return {}
    codes, groups = pd.MultiIndex.from_frame(frame[keys]).factorize()
    bins = np.clip(frame["bin"].to_numpy(int), 0, count - 1)
    index, size = codes * count + bins, len(groups) * count
    sums = {
        m: np.bincount(index, frame[m].to_numpy(float), size).reshape(-1, count)
        for m in MEASURES
    }
    return {tuple(g): {m: sums[m][i] for m in MEASURES} for i, g in enumerate(groups)}


def empty_bins(count: int) -> Bins:
    return {m: np.zeros(count) for m in MEASURES}


def _realized_binary(b: pd.DataFrame) -> dict[str, float]:
    labeled = float(b["labeled"].sum())
    if labeled == 0:
        return dict.fromkeys(("auc", "brier", "log_loss", "positive_rate"), math.nan)
    positives = b["positives"]
    return {
        "auc": stats.binned_auc(positives, b["labeled"] - positives),
        "brier": float(b["brier_sum"].sum() / labeled),
        "log_loss": float(b["logloss_sum"].sum() / labeled),
        "positive_rate": float(positives.sum() / labeled),
    }


def classification_rows(b: Bins, suffix: str = "", estimate=None) -> list[dict]:
    """Estimated and realized figures of one channel's bins, one dict per metric."""
    if estimate is None:
        estimate = stats.cbpe(b["n"], b["p_sum"], b["p2_sum"], b["cal_sum"])
    realized = _realized_binary(b)
    labeled, n = int(b["labeled"].sum()), int(b["n"].sum())
    rows = []
    for metric, value in realized.items():
        e = estimate.get(metric)
        rows.append(
            {
                "metric": metric + suffix,
                "estimated": e.value if e else math.nan,
                "low": e.low if e else math.nan,
                "high": e.high if e else math.nan,
                "realized": value,
                "labeled": labeled,
                "n": n,
            }
        )
    return rows


def regression_rows(b: Bins) -> list[dict]:
    labeled, n = float(b["labeled"].sum()), int(b["n"].sum())
    mae = b["abs_err_sum"].sum() / labeled if labeled else math.nan
    rmse = math.sqrt(b["sq_err_sum"].sum() / labeled) if labeled else math.nan
    return [
        {"metric": m, "estimated": math.nan, "low": math.nan, "high": math.nan}
        | {"realized": v, "labeled": int(labeled), "n": n}
        for m, v in (("mae", mae), ("rmse", rmse))
    ]


def figures(channels: dict[int, Bins], kind: str, classes: list[str]) -> list:
    """Every metric of one set of score bins, per channel (binary, regression: one)."""
    if not channels:
        return []
    if kind == "regression":
        return regression_rows(channels[0])
    if kind == "binary":
        return classification_rows(channels[0])
    rows = []
    for channel, b in sorted(channels.items()):
        rows += classification_rows(b, f" ({classes[channel]})")
    return rows


def by_channel(frame: pd.DataFrame, keys: list[str], count: int) -> dict:
    """{group: {channel: bins}} for the groups of `keys`."""
    out: dict = {}
    for (*group, channel), b in grouped(frame, [*keys, "channel"], count).items():
        out.setdefault(tuple(group), {})[channel] = b
    return out


def window_figures(by_day: pd.DataFrame, kind, classes, count) -> list:
    """Every metric over the whole window."""
    channels = by_channel(by_day.assign(all=0), ["all"], count).get((0,), {})
    return figures(channels, kind, classes)


def _estimates(periods: list[dict[int, Bins]], channel: int, count: int) -> list:
    """One CBPE per period for a channel, all periods drawn together."""
    bins = [p.get(channel) or empty_bins(count) for p in periods]
    stacked = {m: np.stack([b[m] for b in bins]) for m in ("n", "p_sum", "p2_sum")}
    cal = np.stack([b["cal_sum"] for b in bins])
    # 200 draws a period: its interval moves by about 0.002 AUC from 400, at half the cost.
    return stats.cbpe_many(
        stacked["n"], stacked["p_sum"], stacked["p2_sum"], cal, draws=200
    )


def per_period(by_day: pd.DataFrame, period, kind, classes, count) -> pd.DataFrame:
    if by_day.empty:
        return pd.DataFrame(columns=PERFORMANCE_COLUMNS)
    frame = by_day.assign(period=by_day["day"].map(period))
    groups = sorted(by_channel(frame, ["period"], count).items())
    keys, periods = [k for (k,), _ in groups], [channels for _, channels in groups]
    if kind == "regression":
        rows = [
            {"period": k, **row}
            for k, channels in zip(keys, periods, strict=True)
            for row in regression_rows(channels.get(0) or empty_bins(count))
        ]
        return pd.DataFrame(rows, columns=PERFORMANCE_COLUMNS)
    used = sorted({c for channels in periods for c in channels})
    estimates = {c: _estimates(periods, c, count) for c in used}
    rows = []
    for i, (k, channels) in enumerate(zip(keys, periods, strict=True)):
        for c in used:
            suffix = "" if kind == "binary" else f" ({classes[c]})"
            b = channels.get(c) or empty_bins(count)
            rows += [
                {"period": k, **row}
                for row in classification_rows(b, suffix, estimates[c][i])
            ]
    return pd.DataFrame(rows, columns=PERFORMANCE_COLUMNS)


def _quantiles(counts: np.ndarray, edges: np.ndarray, qs=(0.1, 0.5, 0.9)) -> list:
    """Quantiles of a binned distribution, linear within a bin."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts)])
    total = cumulative[-1]
    if total == 0:
        return [math.nan] * len(qs)
    return [float(np.interp(q * total, cumulative, edges)) for q in qs]


def predictions(by_day: pd.DataFrame, period, edges: list[float]) -> pd.DataFrame:
    """p10, p50, p90 and mean of the first channel's score per period."""
    columns = ["period", "p10", "p50", "p90", "mean"]
    first = by_day[by_day["channel"] == 0] if not by_day.empty else by_day
    if first.empty:
        return pd.DataFrame(columns=columns)
    count, rows = len(edges) - 1, []
    periods = first.assign(period=first["day"].map(period))
    for (p,), b in sorted(grouped(periods, ["period"], count).items()):
        p10, p50, p90 = _quantiles(b["n"], np.asarray(edges))
        rows.append([p, p10, p50, p90, b["p_sum"].sum() / max(b["n"].sum(), 1)])
    return pd.DataFrame(rows, columns=columns)


def score_bins(by_day: pd.DataFrame, edges: list[float], holdout) -> pd.DataFrame:
    """Live share per score bin over the window, against the holdout's (from the card)."""
    count = len(edges) - 1
    first = by_day[by_day["channel"] == 0] if not by_day.empty else by_day
    live = grouped(first.assign(all=0), ["all"], count).get((0,), empty_bins(count))
    live = live["n"]
    return pd.DataFrame(
        {
            "left": edges[:-1],
            "right": edges[1:],
            "live_share": live / live.sum() if live.sum() else live,
            "holdout_share": holdout if holdout is not None else [math.nan] * count,
        }
    )


def _segment_row(key, b: pd.DataFrame, kind: str, min_n: int) -> dict:
    """One segment's headline metric with its interval; 'enough' once it has min_n rows."""
    segment, value = key
    n, labeled = int(b["n"].sum()), int(b["labeled"].sum())
    predicted = b["cal_sum"].sum() / n if n else math.nan
    observed = b["positives"].sum() / labeled if labeled else math.nan
    row = {"segment": segment, "value": value, "n": n, "labeled": labeled}
    row |= {"predicted_rate": predicted, "observed_rate": observed}
    if kind == "regression":
        mae = b["abs_err_sum"].sum() / labeled if labeled else math.nan
        spread = b["sq_err_sum"].sum() / labeled - mae**2 if labeled else math.nan
        half = 1.96 * math.sqrt(max(spread, 0) / labeled) if labeled else math.nan
        return row | {
            "metric": "mae",
            "realized": mae,
            "low": mae - half,
            "high": mae + half,
            "estimated": math.nan,
            "enough": labeled >= min_n,
        }
    positives = b["positives"]
    negatives = b["labeled"] - positives
    auc = stats.binned_auc(positives, negatives)
    low, high = stats.auc_interval(auc, positives.sum(), negatives.sum())
    estimated = stats.binned_auc(b["cal_sum"], b["n"] - b["cal_sum"])
    enough = (labeled if labeled else n) >= min_n
    return row | {
        "metric": "auc",
        "realized": auc,
        "low": low,
        "high": high,
        "estimated": estimated,
        "enough": enough,
    }


def segments(by_segment: pd.DataFrame, kind: str, count: int, min_n: int):
    """Every segment value's headline metric, worst first (those with enough rows first)."""
    if by_segment.empty:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    first = by_segment[by_segment["channel"] == 0]
    rows = [
        _segment_row(key, b, kind, min_n)
        for key, b in grouped(first, ["segment", "value"], count).items()
    ]
    table = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    headline = table["realized"].fillna(table["estimated"])
    ascending = kind != "regression"  # AUC: low is bad; MAE: high is bad
    return (
        table.assign(_h=headline if ascending else -headline)
        .sort_values(["enough", "_h"], ascending=[False, True], na_position="last")
        .drop(columns="_h")
        .reset_index(drop=True)
    )
