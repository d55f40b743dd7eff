"""Monitor figures for traffic, predictions and drift: pure functions of a report's frames.

Each takes one small frame of a MonitorReport (already aggregated per period, never log rows)
and returns a figure dict in the house style; tests validate them through go.Figure.
"""

from __future__ import annotations

import pandas as pd

from components.theme import (
    ACCENT,
    CATEGORICAL,
    INK,
    MUTED,
    PRIMARY,
    Figure,
    empty,
    figure,
)
from data.formats import span

SMALL = 280
# One colour per source (or challenger), in order of appearance.
SERIES = [*CATEGORICAL[:6], MUTED]  # Okabe-Ito, then grey
BAND = "rgba(37,99,235,0.15)"
FEATURE_TITLE = "Reference against live"


def days(values) -> list[str]:
    """Period starts as ISO dates (a date axis plotly reads without time zones)."""
    return pd.to_datetime(pd.Series(values)).dt.strftime("%Y-%m-%d").tolist()


def colour(index: int) -> str:
    return SERIES[index % len(SERIES)]


def _by_source(traffic: pd.DataFrame):
    """(index, source, that source's rows in period order) for each source."""
    for index, (source, rows) in enumerate(traffic.groupby("source", sort=True)):
        yield index, source, rows.sort_values("period")


def volume(traffic: pd.DataFrame, period: str) -> Figure:
    """Predictions per period, stacked by source."""
    title = f"Predictions per {period}, by source"
    if traffic.empty:
        return empty(title, "No predictions in this window", SMALL)
    fig = figure(
        title, SMALL, barmode="stack", yaxis={"title": {"text": "Predictions"}}
    )
    for index, source, rows in _by_source(traffic):
        fig["data"].append(
            {
                "type": "bar",
                "x": days(rows["period"]),
                "y": rows["n"].to_numpy(),
                "name": source,
                "marker": {"color": colour(index)},
                "hovertemplate": f"{source} %{{x|%d %b %Y}}: %{{y:,}}<extra></extra>",
            }
        )
    return fig


def latency(traffic: pd.DataFrame) -> Figure:
    """Median and 95th-percentile latency per period, one colour per source."""
    title = "Latency p50 and p95 (ms)"
    if traffic.empty:
        return empty(title, "No predictions in this window", SMALL)
    fig = figure(title, SMALL, yaxis={"title": {"text": "Milliseconds"}})
    for index, source, rows in _by_source(traffic):
        for column, dash in (("p50_ms", "solid"), ("p95_ms", "dash")):
            name = f"{source} {column[:3]}"
            fig["data"].append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": days(rows["period"]),
                    "y": rows[column].to_numpy(),
                    "name": name,
                    "line": {"color": colour(index), "dash": dash, "width": 2},
                    "marker": {"size": 4},
                    "hovertemplate": f"{name} %{{x|%d %b}}: %{{y:.1f}} ms<extra></extra>",
                }
            )
    return fig


def out_of_range(traffic: pd.DataFrame) -> Figure:
    """Share of requests with an input outside the training range, per source."""
    title = "Inputs outside the training range"
    if traffic.empty:
        return empty(title, "No predictions in this window", SMALL)
    fig = figure(
        title,
        SMALL,
        yaxis={"title": {"text": "Share of requests"}, "tickformat": ".0%"},
    )
    for index, source, rows in _by_source(traffic):
        fig["data"].append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": days(rows["period"]),
                "y": rows["out_of_range_share"].to_numpy(),
                "name": source,
                "line": {"color": colour(index)},
                "marker": {"size": 4},
                "hovertemplate": f"{source} %{{x|%d %b}}: %{{y:.1%}}<extra></extra>",
            }
        )
    return fig


def band(x: list[str], low, high, name: str) -> list[dict]:
    """Two traces: an invisible lower edge, then the upper edge filled down to it."""
    edge = {"type": "scatter", "mode": "lines", "x": x, "line": {"width": 0}}
    return [
        {**edge, "y": low, "showlegend": False, "hoverinfo": "skip"},
        {**edge, "y": high, "name": name, "fill": "tonexty", "fillcolor": BAND},
    ]


def prediction_band(frame: pd.DataFrame, axis: str, percent: bool) -> Figure:
    """The predicted value's p10–p90 band, median and mean per period."""
    title = "Predicted value over time"
    if frame.empty:
        return empty(title, "No predictions in this window", SMALL)
    shown = ".1%" if percent else ".3g"
    fig = figure(
        title,
        SMALL,
        yaxis={"title": {"text": axis}, "tickformat": ".0%" if percent else None},
    )
    x = days(frame["period"])
    fig["data"] = band(x, frame["p10"].to_numpy(), frame["p90"].to_numpy(), "p10–p90")
    for column, name, line in (
        ("p50", "Median", {"color": PRIMARY, "width": 2}),
        ("mean", "Mean", {"color": ACCENT, "width": 2, "dash": "dot"}),
    ):
        fig["data"].append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": frame[column].to_numpy(),
                "name": name,
                "line": line,
                "hovertemplate": f"{name} %{{x|%d %b}}: %{{y:{shown}}}<extra></extra>",
            }
        )
    return fig


def bin_names(lefts, rights) -> list[str]:
    return [span(left, right) for left, right in zip(lefts, rights, strict=True)]


def score_histogram(bins: pd.DataFrame, axis: str, percent: bool) -> Figure:
    """Share of predictions per score bin: live bars under the card's holdout as a step line."""
    title = "Predicted value: live against holdout"
    if bins.empty:
        return empty(title, "No predictions in this window", SMALL)
    tick = ".0%" if percent else None
    fig = figure(
        title,
        SMALL,
        bargap=0.05,
        xaxis={"title": {"text": axis}, "tickformat": tick},
        yaxis={"title": {"text": "Share of predictions"}, "tickformat": ".0%"},
    )
    left, right = bins["left"].to_numpy(float), bins["right"].to_numpy(float)
    names = bin_names(left, right)
    fig["data"].append(
        {
            "type": "bar",
            "x": (left + right) / 2,
            "width": right - left,
            "y": bins["live_share"].to_numpy(),
            "customdata": names,
            "name": "Live",
            "marker": {"color": PRIMARY, "opacity": 0.8},
            "hovertemplate": "live %{customdata}: %{y:.1%}<extra></extra>",
        }
    )
    if bins["holdout_share"].notna().any():
        fig["data"].append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [*left, right[-1]],
                "y": [
                    *bins["holdout_share"].to_numpy(),
                    bins["holdout_share"].iloc[-1],
                ],
                "line": {"shape": "hv", "color": INK, "width": 1.5},
                "name": "Holdout (card)",
                "hovertemplate": "holdout from %{x}: %{y:.1%}<extra></extra>",
            }
        )
    return fig


def feature_detail(frame: pd.DataFrame, label: str) -> Figure:
    """One feature's distribution: training reference against the live window."""
    title = f"{label}: {FEATURE_TITLE.lower()}"
    if frame.empty:
        return empty(title, "No rows for this feature in the window", SMALL + 40)
    fig = figure(
        title,
        SMALL + 40,
        barmode="group",
        bargap=0.1,
        xaxis={"type": "category", "automargin": True},  # the title names the feature
        yaxis={"title": {"text": "Share of rows"}, "tickformat": ".0%"},
    )
    for column, name, color in (
        ("reference_share", "Reference (training)", MUTED),
        ("live_share", "Live", PRIMARY),
    ):
        fig["data"].append(
            {
                "type": "bar",
                "x": [str(b) for b in frame["bin"]],
                "y": frame[column].to_numpy(),
                "name": name,
                "marker": {"color": color},
                "hovertemplate": f"{name} %{{x}}: %{{y:.1%}}<extra></extra>",
            }
        )
    return fig
