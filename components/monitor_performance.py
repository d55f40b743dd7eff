"""Monitor figures for how well the model does: estimated against realized performance per
period, performance by segment, and agreement with the challenger.

Pure functions of a MonitorReport's frames returning figure dicts in the house style.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from components.monitor_figures import SMALL, band, colour, days
from components.theme import BAD, LAYOUT, MUTED, PRIMARY, Figure, empty, figure


class Metric(NamedTuple):
    name: str
    format: str  # d3 format for hovers and ticks
    higher_is_better: bool


METRICS = {
    "auc": Metric("AUC", ".3f", True),
    "brier": Metric("Brier score", ".4f", False),
    "positive_rate": Metric("Positive rate", ".1%", True),
    "log_loss": Metric("Log loss", ".3f", False),
    "mae": Metric("MAE", ".3g", False),
    "rmse": Metric("RMSE", ".3g", False),
}
SEGMENTS_SHOWN = 20
LEGEND_GAP_PX = 70


def metric(key: str) -> Metric:
    """How to show a metric; one class's ('auc (setosa)') reads as the metric and class."""
    base, _, rest = key.partition(" ")
    known = METRICS.get(base)
    if known is None:
        return Metric(key.replace("_", " "), ".3g", True)
    return known._replace(name=f"{known.name} {rest}".strip())


def _holdout_line(x: list[str], value: float, shown: str) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "x": [x[0], x[-1]],
        "y": [value, value],
        "name": "Holdout (card)",
        "line": {"color": MUTED, "dash": "dash", "width": 1.5},
        "hovertemplate": f"holdout %{{y:{shown}}}<extra></extra>",
    }


def performance(frame: pd.DataFrame, key: str, holdout: float | None) -> Figure:
    """One metric per period: the estimate and its band, realized values, the holdout."""
    info = metric(key)
    rows = frame[frame["metric"] == key].sort_values("period")
    estimated = rows["estimated"].notna().any()
    title = f"{info.name}: {'estimated and realized' if estimated else 'realized'}"
    if rows.empty:
        return empty(title, "No periods in this window", SMALL)
    tick = ".0%" if info.format.endswith("%") else None
    fig = figure(title, SMALL, yaxis={"title": {"text": info.name}, "tickformat": tick})
    x = days(rows["period"])
    if estimated:
        fig["data"] += band(
            x, rows["low"].to_numpy(), rows["high"].to_numpy(), "Estimate, 95% band"
        )
        fig["data"].append(_line(x, rows["estimated"], "Estimated", PRIMARY, info))
    if rows["realized"].notna().any():
        realized = _line(x, rows["realized"], "Realized", BAD, info)
        realized["customdata"] = rows["labeled"].to_numpy()
        realized["hovertemplate"] = (
            f"realized %{{x|%d %b}}: %{{y:{info.format}}}"
            " (%{customdata:,} labeled)<extra></extra>"
        )
        fig["data"].append(realized)
    if holdout is not None and np.isfinite(holdout):
        fig["data"].append(_holdout_line(x, holdout, info.format))
    return fig


def _line(x, values: pd.Series, name: str, color: str, info: Metric) -> dict:
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "x": x,
        "y": values.to_numpy(),
        "name": name,
        "line": {"color": color, "width": 2},
        "marker": {"size": 6},
        "hovertemplate": f"{name.lower()} %{{x|%d %b}}: %{{y:{info.format}}}<extra></extra>",
    }


def legend_below(height: int) -> float:
    """The legend's y (a share of the plot's height) that keeps it just under the x axis
    title whatever the figure's height: the house style's offset in pixels."""
    plot = height - LAYOUT["margin"]["t"] - LAYOUT["margin"]["b"]
    return -LEGEND_GAP_PX / plot


def segment_names(rows: pd.DataFrame) -> list[str]:
    return [f"{s}: {v}" for s, v in zip(rows["segment"], rows["value"], strict=True)]


def _segment_points(rows: pd.DataFrame, name: str, color: str, info: Metric) -> dict:
    """Realized values (the estimate where no outcome arrived) with their intervals."""
    value = rows["realized"].where(rows["realized"].notna(), rows["estimated"])
    return {
        "type": "scatter",
        "mode": "markers",
        "x": value.to_numpy(),
        "y": segment_names(rows),
        "name": name,
        "marker": {"color": color, "size": 9},
        "error_x": {
            "type": "data",
            "array": (rows["high"] - value).clip(lower=0).to_numpy(),
            "arrayminus": (value - rows["low"]).clip(lower=0).to_numpy(),
            "color": color,
            "thickness": 1.5,
        },
        "customdata": np.stack([rows["n"], rows["labeled"]], axis=-1),
        "hovertemplate": (
            f"%{{y}}: %{{x:{info.format}}}<br>%{{customdata[0]:,}} predictions, "
            "%{customdata[1]:,} labeled<extra></extra>"
        ),
    }


def segments(frame: pd.DataFrame, key: str) -> Figure:
    """Segments worst first, with 95% intervals; those below the minimum n greyed out."""
    info = metric(key)
    rows = frame[frame["metric"] == key].head(SEGMENTS_SHOWN)
    title = f"{info.name} by segment, worst first"
    if rows.empty:
        return empty(title, "No segments in this window", SMALL)
    tick = ".0%" if info.format.endswith("%") else None
    height = max(SMALL, 110 + 26 * len(rows))
    fig = figure(
        title,
        height,
        xaxis={"title": {"text": info.name}, "tickformat": tick},
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
        margin={"l": 8},
        legend={"y": legend_below(height)},
    )
    enough = rows["enough"].astype(bool)
    fig["data"].append(_segment_points(rows[enough], "Judged", PRIMARY, info))
    if (~enough).any():
        fig["data"].append(
            _segment_points(rows[~enough], "Too few rows to judge", MUTED, info)
        )
        fig["data"][-1]["marker"]["symbol"] = "circle-open"
    return fig


def agreement(frame: pd.DataFrame, percent: bool) -> Figure:
    """Per period and challenger: how often it agrees with the champion, and the mean gap."""
    title = "Champion against challenger"
    if frame.empty:
        return empty(title, "No challenger was scored in this window", SMALL)
    fig = figure(
        title,
        SMALL + 40,
        yaxis={"title": {"text": "Agreement"}, "tickformat": ".0%"},
        yaxis2={
            "title": {"text": "Mean difference in output"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickformat": ".1%" if percent else None,
        },
        margin={"r": 64},
    )
    diff = ".1%" if percent else ".3g"
    for index, (name, rows) in enumerate(frame.groupby("challenger", sort=True)):
        rows, color = rows.sort_values("period"), colour(index + 1)
        x = days(rows["period"])
        fig["data"] += [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": x,
                "y": rows["agreement"].to_numpy(),
                "name": f"{name}: agreement",
                "line": {"color": color, "width": 2},
                "hovertemplate": "%{x|%d %b}: agree on %{y:.1%}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": rows["mean_diff"].to_numpy(),
                "yaxis": "y2",
                "name": f"{name}: mean difference",
                "line": {"color": color, "dash": "dot"},
                "hovertemplate": f"%{{x|%d %b}}: %{{y:+{diff}}}<extra></extra>",
            },
        ]
    return fig
