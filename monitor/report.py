"""One Monitor report: a version's traffic, drift and performance over a window of event time.

Everything is read from the aggregates the log keeps up to date (monitor/store.py), so the
cost depends on days, bins and segments, not on how many predictions were logged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from monitor import performance, queries, stats
from monitor.alerts import breaches
from monitor.bins import PROBABILITY_EDGES, bucket_ms
from monitor.report_types import MonitorReport, Window

TRAFFIC_COLUMNS = [
    "period",
    "source",
    "n",
    "p50_ms",
    "p95_ms",
    "out_of_range_share",
    "fallback",
]
CHALLENGER_COLUMNS = [
    "period",
    "challenger",
    "n",
    "agreement",
    "mean_diff",
    "mean_abs_diff",
]


@dataclass(frozen=True)
class Monitored:
    """What a report reads: the database, the spec, the registry (cards) and the champion."""

    database: object
    spec: object
    registry: object

    def champion(self) -> str | None:
        return self.registry.resolve("champion")


def monitored(ctx) -> Monitored:
    """The app's context, or a Monitored already (the CLI builds one without the data)."""
    if isinstance(ctx, Monitored):
        return ctx
    return Monitored(ctx.database, ctx.spec, ctx.models.registry)


def span(ctx, version: str | None = None, busiest: bool = False):
    """First and last logged day of event time of a version (default the champion), or
    None; with `busiest`, of its busiest source only (a replay of 2013 and one what-if
    today would otherwise span thirteen years)."""
    m = monitored(ctx)
    version = version or m.champion()
    if not version:
        return None
    with m.database.engine.connect() as connection:
        source = queries.busiest_source(connection, version) if busiest else None
        return queries.span(connection, version, source)


def _percentiles(frame: pd.DataFrame, keys: list[str], q: float) -> pd.Series:
    """The q-th latency per group of `keys`, from the counts per bucket (a bucket's middle)."""
    counts = frame.groupby([*keys, "latency_bucket"])["n"].sum().unstack(fill_value=0)
    cumulative = counts.to_numpy(float).cumsum(axis=1)
    at = (cumulative < q * cumulative[:, -1:]).sum(axis=1)
    return pd.Series(bucket_ms(counts.columns.to_numpy(float)[at]), index=counts.index)


def _traffic(frame: pd.DataFrame, window: Window) -> tuple[pd.DataFrame, dict]:
    if frame.empty:
        totals = dict(n=0, p50_ms=math.nan, p95_ms=math.nan)
        totals |= dict(out_of_range_share=math.nan, error_rate=math.nan)
        return pd.DataFrame(columns=TRAFFIC_COLUMNS), totals
    frame = frame.assign(period=frame["day"].map(window.period), all=0)
    keys = ["period", "source"]
    sums = frame.groupby(keys)[["n", "out_of_range", "fallback"]].sum()
    traffic = pd.DataFrame(
        {
            "n": sums["n"].astype(int),
            "p50_ms": _percentiles(frame, keys, 0.5),
            "p95_ms": _percentiles(frame, keys, 0.95),
            "out_of_range_share": sums["out_of_range"] / sums["n"],
            "fallback": sums["fallback"].astype(int),
        }
    ).reset_index()
    n = frame["n"].sum()
    totals = {
        "n": int(n),
        "p50_ms": float(_percentiles(frame, ["all"], 0.5).iloc[0]),
        "p95_ms": float(_percentiles(frame, ["all"], 0.95).iloc[0]),
        "out_of_range_share": frame["out_of_range"].sum() / n,
        "error_rate": frame["fallback"].sum() / n,
    }
    return traffic[TRAFFIC_COLUMNS], totals


def _bin_names(entry) -> list[str]:
    if entry.kind == "category":
        return list(entry.categories)
    edges = entry.drift_edges
    return [f"{a:.4g}–{b:.4g}" for a, b in zip(edges, edges[1:], strict=False)]


def reference_shares(entry) -> list[float]:
    if entry.kind == "category":
        return [entry.category_share.get(c, 0.0) for c in entry.categories]
    return list(entry.drift_share) or [1.0]


def _feature_drift(entry, train_rows: int, live: pd.DataFrame) -> stats.FeatureDrift:
    """One feature's reference shares and live counts over the card's bins."""
    names = _bin_names(entry) or ["all"]
    mine = live[
        (live["feature"] == entry.column) & live["bin"].between(0, len(names) - 1)
    ]
    counts = np.bincount(mine["bin"].astype(int), mine["n"], minlength=len(names))
    return stats.FeatureDrift(
        entry.column,
        entry.label,
        entry.kind,
        names,
        reference_shares(entry),
        round(train_rows * (1 - entry.missing_share)),
        counts.astype(float),
    )


def _drift_inputs(card, live: pd.DataFrame) -> list[stats.FeatureDrift]:
    train_rows = card.dataset.split["train"].rows
    return [_feature_drift(e, train_rows, live) for e in card.features]


def feature_detail(ctx, window: Window, feature: str, source=None, version=None):
    """Reference against live shares over one feature's bins (the drill-down chart)."""
    m = monitored(ctx)
    version = version or m.champion()
    card = m.registry.card(version)
    entry = next((e for e in card.features if e.column == feature), None)
    if entry is None:
        raise ValueError(f"{version} has no feature '{feature}'")
    scope = queries.Scope(version, window.start, window.end, source)
    with m.database.engine.connect() as connection:
        live = queries.features(connection, scope, feature)
    drift = _feature_drift(entry, card.dataset.split["train"].rows, live)
    counts = drift.live_counts
    return pd.DataFrame(
        {
            "bin": drift.bins,
            "reference_share": drift.reference_share,
            "live_share": counts / counts.sum() if counts.sum() else counts,
        }
    )


def _challenger(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=CHALLENGER_COLUMNS)
    frame = frame.assign(period=frame["day"].map(window.period))
    g = frame.groupby(["period", "challenger"], as_index=False).sum(numeric_only=True)
    return pd.DataFrame(
        {
            "period": g["period"],
            "challenger": g["challenger"],
            "n": g["n"].astype(int),
            "agreement": g["agree"] / g["n"],
            "mean_diff": g["diff_sum"] / g["n"],
            "mean_abs_diff": g["abs_diff_sum"] / g["n"],
        }
    )


def _holdout(card) -> dict[str, float]:
    held = card.metrics["model"].holdout if "model" in card.metrics else {}
    return {k: float(v) for k, v in held.items() if k != "rows"}


def _notes(card) -> list[str]:
    notes = []
    if card.kind == "regression":
        notes.append(
            "Regression: there is no estimate before outcomes arrive; only drift and "
            "the realized error once outcomes are attached are shown."
        )
    elif card.monitor is None:
        notes.append(
            f"{card.version} was trained before cards kept a calibration map: the "
            "estimate uses its raw probabilities. Retrain to calibrate it."
        )
    if card.kind == "multiclass":
        notes.append(
            "Multi-class: the predictions chart and the segments follow the first "
            f"class ({card.classes[0]}); the performance is one-vs-rest per class."
        )
    return notes


def build_report(ctx, window: Window, version=None, source=None) -> MonitorReport:
    """The whole page's figures for one version and window (the champion by default)."""
    m = monitored(ctx)
    version = version or m.champion()
    card = m.registry.card(version)
    settings = m.spec.monitor
    scope = queries.Scope(version, window.start, window.end, source)
    with m.database.engine.connect() as connection:
        traffic_rows = queries.traffic(connection, scope)
        live_features = queries.features(connection, scope)
        by_day, by_segment = queries.scores(connection, scope)
        challenger_rows = queries.challenger(connection, scope)
    edges = card.monitor.edges if card.monitor else PROBABILITY_EDGES
    count = len(edges) - 1
    traffic, totals = _traffic(traffic_rows, window)
    drift = stats.drift_table(_drift_inputs(card, live_features), min_n=settings.min_n)
    overall = performance.window_figures(by_day, card.kind, card.classes, count)
    totals |= {"labeled": int(by_day["labeled"].sum()) if not by_day.empty else 0}
    totals |= {"window": {row["metric"]: row for row in overall}}
    holdout = _holdout(card)
    report = MonitorReport(
        version=version,
        kind=card.kind,
        outcome=card.outcome,
        window=window,
        traffic=traffic,
        totals=totals,
        predictions=performance.predictions(by_day, window.period, edges),
        score_bins=performance.score_bins(
            by_day, edges, card.monitor.holdout_share[0] if card.monitor else None
        ),
        drift=drift,
        performance=performance.per_period(
            by_day, window.period, card.kind, card.classes, count
        ),
        holdout=holdout,
        segments=performance.segments(by_segment, card.kind, count, settings.min_n),
        challenger=_challenger(challenger_rows, window),
        notes=_notes(card),
    )
    return replace(report, alerts=breaches(report, settings))
