"""Overview figures: each a pure function from a small aggregate frame to a figure dict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.theme import (
    ACCENT,
    BAD,
    INK,
    LIGHT,
    MUTED,
    PRIMARY,
    RISK_SCALE,
    Figure,
    empty,
    figure,
)
from data.formats import plain, span
from data.names import option_label, short_label

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
PAIR_HEIGHT = 360  # the category chart and the heatmap, side by side


def category_height(count: int) -> int:
    """Tall enough for every category's name to be read (16 airlines: the pair's height)."""
    return max(PAIR_HEIGHT, 100 + 16 * count)


def _value_format(percent: bool) -> tuple[str, str | None]:
    """Hover format and axis tick format: rates as percentages, regression targets as values."""
    return (".1%", ".0%") if percent else (".3g", None)


def _risk_marker(values, percent: bool, **extra) -> dict:
    """Colored by rate on the risk scale, outlined so the palest bars still show."""
    outline = {"color": "rgba(0,0,0,0.35)", "width": 0.6}
    marker = {"color": values, "colorscale": RISK_SCALE, "line": outline, **extra}
    if percent:
        marker.update(cmin=0, cmax=0.5)
    return marker


def rate_by_category(
    frame: pd.DataFrame,
    column: str,
    title: str,
    outcome: str,
    percent: bool = True,
    names: dict[str, str] | None = None,
    counted: str = "rows",
) -> Figure:
    """Bars of the outcome rate per category, with the model's mean prediction as markers.

    Lying down, so categories read by name ('United Air Lines Inc. (UA)'); the bars' y
    values stay the codes, which a click sets as the filter.
    """
    if frame.empty:
        return empty(title, height=PAIR_HEIGHT)
    hover, ticks = _value_format(percent)
    codes = frame[column].astype(str).tolist()
    names = names or {}
    fig = figure(
        title,
        height=category_height(len(codes)),
        xaxis={"tickformat": ticks, "automargin": True},
        yaxis={
            "type": "category",
            "autorange": "reversed",
            "automargin": True,
            "tickvals": codes,
            "ticktext": [short_label(c, names.get(c)) for c in codes],
            "tickfont": {"size": 11},
        },
        margin={"l": 8, "b": 8},
        legend={"y": 0, "yref": "container", "yanchor": "bottom"},
        bargap=0.25,
        clickmode="event",
    )
    shown = [option_label(c, names.get(c)) for c in codes]
    fig["data"].append(
        {
            "type": "bar",
            "orientation": "h",
            "x": frame["target_mean"].to_numpy(),
            "y": codes,
            "name": f"Actual: {outcome}",
            "marker": _risk_marker(frame["target_mean"].to_numpy(), percent),
            "hovertext": shown,
            "customdata": frame["rows"].to_numpy(),
            "hovertemplate": f"%{{hovertext}}<br>%{{x:{hover}}} of "
            f"%{{customdata:,}} {counted}<extra></extra>",
        }
    )
    if "score_mean" in frame:
        fig["data"].append(
            {
                "type": "scatter",
                "x": frame["score_mean"].to_numpy(),
                "y": codes,
                "mode": "markers",
                "name": "Predicted (mean)",
                "marker": {"symbol": "diamond", "size": 8, "color": INK},
                "hovertext": shown,
                "hovertemplate": f"%{{hovertext}}<br>predicted %{{x:{hover}}}"
                "<extra></extra>",
            }
        )
    return fig


def hour_weekday_heatmap(matrix: pd.DataFrame, title: str, outcome: str) -> Figure:
    """Outcome rate by weekday and hour of day."""
    values = matrix.to_numpy()
    if np.all(np.isnan(values)):
        return empty(title, height=PAIR_HEIGHT)
    fig = figure(
        title,
        height=PAIR_HEIGHT,
        xaxis={"title": {"text": "Hour of day"}, "dtick": 2},
        yaxis={"autorange": "reversed"},
    )
    fig["data"].append(
        {
            "type": "heatmap",
            "z": np.where(np.isnan(values), None, values).tolist(),
            "x": [int(h) for h in matrix.columns],
            "y": WEEKDAYS,
            "colorscale": RISK_SCALE,
            "zmin": 0,
            "zmax": 0.6,
            "colorbar": {"tickformat": ".0%"},
            "hoverongaps": False,
            "hovertemplate": "%{y} %{x}:00<br>" + outcome + " %{z:.1%}<extra></extra>",
        }
    )
    return fig


def daily_trend(
    frame: pd.DataFrame, title: str, outcome: str, percent: bool = True
) -> Figure:
    """Daily outcome rate with its 7-day rolling mean (and the model's, when scored)."""
    if frame.empty:
        return empty(title)
    hover, ticks = _value_format(percent)
    dates = np.datetime_as_string(frame["date"].to_numpy(), unit="D").tolist()
    fig = figure(title, yaxis={"tickformat": ticks, "title": {"text": outcome}})
    lines = [
        ("target_mean", "Daily", {"color": LIGHT, "width": 1}),
        ("rolling", "7-day rolling mean", {"color": PRIMARY, "width": 2.5}),
    ]
    if "score_mean" in frame:
        lines.append(
            (
                "score_mean",
                "Predicted (daily mean)",
                {"color": ACCENT, "width": 1.5, "dash": "dot"},
            )
        )
    for column, name, line in lines:
        fig["data"].append(
            {
                "type": "scatter",
                "x": dates,
                "y": frame[column].to_numpy(),
                "mode": "lines",
                "name": name,
                "line": line,
                "hovertemplate": f"%{{x|%a %d %b}} {name.lower()}: %{{y:{hover}}}<extra></extra>",
            }
        )
    return fig


def measure_distribution(
    frame: pd.DataFrame,
    title: str,
    label: str,
    threshold: float | None,
    counted: str = "Rows",
) -> Figure:
    """Histogram of the measure from server-side bin counts (`counted`: what a row is)."""
    if frame["count"].sum() == 0:
        return empty(title)
    centers = ((frame["low"] + frame["high"]) / 2).to_numpy()
    shapes = []
    if threshold is not None:
        shapes.append(
            {
                "type": "line",
                "x0": threshold,
                "x1": threshold,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": MUTED, "dash": "dash"},
            }
        )
    fig = figure(
        title,
        xaxis={"title": {"text": label}},
        yaxis={"title": {"text": counted}},
        shapes=shapes,
    )
    late = centers >= (np.inf if threshold is None else threshold)
    fig["data"].append(
        {
            "type": "bar",
            "x": centers,
            "y": frame["count"].to_numpy(),
            "width": (frame["high"] - frame["low"]).to_numpy(),
            "marker": {"color": np.where(late, BAD, LIGHT).tolist()},
            "customdata": np.column_stack([frame["low"], frame["high"]]),
            "hovertemplate": "%{customdata[0]:.0f} to %{customdata[1]:.0f}: %{y:,}<extra></extra>",
        }
    )
    return fig


def bin_names(frame: pd.DataFrame) -> list[str]:
    """'7' for a one-value bin of a whole-number column, else '2.5–5.1' (readable numbers)."""
    names = []
    for low, high in zip(frame["low"], frame["high"], strict=True):
        middle = (low + high) / 2
        single = high - low == 1 and float(middle).is_integer()
        names.append(plain(middle) if single else span(low, high))
    return names


def rate_by_bins(
    frame: pd.DataFrame,
    title: str,
    label: str,
    outcome: str,
    percent: bool = True,
    counted: str = "rows",
) -> Figure:
    """Outcome rate per bin of a numeric column (e.g. visibility)."""
    if frame["labelled"].sum() == 0:
        return empty(title)
    hover, ticks = _value_format(percent)
    names = bin_names(frame)
    fig = figure(
        title,
        # Turned and counted in the margins, so the last bin's name is never cut off.
        xaxis={
            "title": {"text": label},
            "type": "category",
            "tickangle": -40,
            "automargin": True,
        },
        margin={"r": 28},
        yaxis={"tickformat": ticks, "title": {"text": outcome}},
    )
    fig["data"].append(
        {
            "type": "bar",
            "x": names,
            "y": frame["target_mean"].to_numpy(),
            "customdata": frame["labelled"].to_numpy(),
            "marker": _risk_marker(frame["target_mean"].to_numpy(), percent),
            "hovertemplate": label
            + f" %{{x}}<br>%{{y:{hover}}} of %{{customdata:,}} {counted}<extra></extra>",
        }
    )
    return fig
