"""Overview figures: each a pure function from a small aggregate frame to a figure dict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.theme import ACCENT, MUTED, PRIMARY, RISK_SCALE, Figure, empty, figure
from data.formats import plain, span

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# The route map's traces, in order: route lines, destinations, origins. A click reports
# only the trace index, so the Overview tells origin from destination clicks by it.
MAP_ORIGIN_TRACE = 2


def _value_format(percent: bool) -> tuple[str, str | None]:
    """Hover format and axis tick format: rates as percentages, regression targets as values."""
    return (".1%", ".0%") if percent else (".3g", None)


def _risk_marker(values, percent: bool, **extra) -> dict:
    marker = {"color": values, "colorscale": RISK_SCALE, **extra}
    if percent:
        marker.update(cmin=0, cmax=0.5)
    return marker


def rate_by_category(
    frame: pd.DataFrame, column: str, title: str, outcome: str, percent: bool = True
) -> Figure:
    """Bars of the outcome rate per category, with the model's mean prediction as markers."""
    if frame.empty:
        return empty(title)
    hover, ticks = _value_format(percent)
    fig = figure(
        title,
        yaxis={"tickformat": ticks, "title": {"text": outcome}},
        clickmode="event",
    )
    fig["data"].append(
        {
            "type": "bar",
            "x": frame[column].tolist(),
            "y": frame["target_mean"].to_numpy(),
            "name": f"Actual: {outcome}",
            "marker": _risk_marker(frame["target_mean"].to_numpy(), percent),
            "customdata": frame["rows"].to_numpy(),
            "hovertemplate": f"%{{x}}<br>%{{y:{hover}}} of %{{customdata:,}} rows<extra></extra>",
        }
    )
    if "score_mean" in frame:
        fig["data"].append(
            {
                "type": "scatter",
                "x": frame[column].tolist(),
                "y": frame["score_mean"].to_numpy(),
                "mode": "markers",
                "name": "Predicted (mean)",
                "marker": {"symbol": "diamond", "size": 9, "color": "#111827"},
                "hovertemplate": f"%{{x}}<br>predicted %{{y:{hover}}}<extra></extra>",
            }
        )
    return fig


def hour_weekday_heatmap(matrix: pd.DataFrame, title: str, outcome: str) -> Figure:
    """Outcome rate by weekday and hour of day."""
    values = matrix.to_numpy()
    if np.all(np.isnan(values)):
        return empty(title)
    fig = figure(
        title,
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
        ("target_mean", "Daily", {"color": "#93c5fd", "width": 1}),
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
            "marker": {"color": np.where(late, "#f97316", "#93c5fd").tolist()},
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
    frame: pd.DataFrame, title: str, label: str, outcome: str, percent: bool = True
) -> Figure:
    """Outcome rate per bin of a numeric column (e.g. visibility)."""
    if frame["labelled"].sum() == 0:
        return empty(title)
    hover, ticks = _value_format(percent)
    names = bin_names(frame)
    fig = figure(
        title,
        xaxis={"title": {"text": label}, "type": "category"},
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
            + f" %{{x}}<br>%{{y:{hover}}} of %{{customdata:,}} rows<extra></extra>",
        }
    )
    return fig


def _route_lines(coords: np.ndarray) -> dict:
    """One line trace for many routes: segments separated by gaps (None)."""
    gap = np.full(len(coords), np.nan)
    lon = np.column_stack([coords[:, 1], coords[:, 3], gap]).ravel()
    lat = np.column_stack([coords[:, 0], coords[:, 2], gap]).ravel()
    return {
        "type": "scattergeo",
        "lon": np.where(np.isnan(lon), None, lon).tolist(),
        "lat": np.where(np.isnan(lat), None, lat).tolist(),
        "mode": "lines",
        "line": {"width": 1, "color": "rgba(37,99,235,0.35)"},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def route_map(
    route_coords: np.ndarray,
    origins: pd.DataFrame,
    dests: pd.DataFrame,
    title: str,
    outcome: str,
) -> Figure:
    """Busiest routes as lines; destinations sized by traffic and colored by outcome rate.

    `origins` and `dests` are per-airport frames (airport, rows, target_mean, lat, lon).
    """
    if dests.empty:
        return empty(title, height=420)
    size = 6 + 24 * np.sqrt(dests["rows"] / dests["rows"].max())
    fig = figure(
        title,
        height=420,
        margin={"l": 0, "r": 0, "t": 44, "b": 0},
        showlegend=False,
        geo={
            "scope": "usa",
            "showland": True,
            "landcolor": "#f3f4f6",
            "subunitcolor": "#d1d5db",
            "showlakes": False,
        },
    )
    fig["data"] = [
        _route_lines(route_coords),
        {
            "type": "scattergeo",
            "lon": dests["lon"].to_numpy(),
            "lat": dests["lat"].to_numpy(),
            "text": dests["airport"].tolist(),
            "mode": "markers",
            "name": "Destinations",
            "customdata": np.column_stack([dests["rows"], dests["target_mean"]]),
            "marker": {
                "size": size.to_numpy(),
                "color": dests["target_mean"].to_numpy(),
                "colorscale": RISK_SCALE,
                "cmin": 0,
                "cmax": 0.5,
                "line": {"width": 0.5, "color": "white"},
                "colorbar": {
                    "tickformat": ".0%",
                    "title": {"text": outcome},
                    "len": 0.6,
                    "thickness": 12,
                },
            },
            "hovertemplate": "%{text}: %{customdata[0]:,} rows, %{customdata[1]:.1%}<extra></extra>",
        },
        {
            "type": "scattergeo",
            "lon": origins["lon"].to_numpy(),
            "lat": origins["lat"].to_numpy(),
            "text": origins["airport"].tolist(),
            "mode": "markers+text",
            "name": "Origins",
            "customdata": origins["rows"].to_numpy(),
            "textposition": "middle right",
            "marker": {"size": 12, "color": "#111827", "symbol": "square"},
            "hovertemplate": "%{text} (origin): %{customdata:,} rows<extra></extra>",
        },
    ]
    return fig
