"""Overview figures: each a pure function from a small aggregate frame to a go.Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.theme import ACCENT, MUTED, PRIMARY, RISK_SCALE, empty, figure

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _as_values(fig: go.Figure, percent: bool) -> go.Figure:
    """Rates show as percentages; for a regression target, show plain values instead."""
    if percent:
        return fig
    fig.update_yaxes(tickformat=None)
    for trace in fig.data:
        if trace.hovertemplate:
            trace.hovertemplate = trace.hovertemplate.replace(":.1%}", ":.3g}")
        if getattr(trace, "marker", None) is not None and trace.marker.cmax is not None:
            trace.marker.cmin, trace.marker.cmax = None, None
    return fig


def rate_by_category(
    frame: pd.DataFrame, column: str, title: str, outcome: str, percent: bool = True
) -> go.Figure:
    """Bars of the outcome rate per category, with the model's mean prediction as markers."""
    if frame.empty:
        return empty(title)
    fig = figure(title)
    fig.add_trace(
        go.Bar(
            x=frame[column],
            y=frame["target_mean"],
            name=f"Actual: {outcome}",
            marker={
                "color": frame["target_mean"],
                "colorscale": RISK_SCALE,
                "cmin": 0,
                "cmax": 0.5,
            },
            customdata=np.column_stack([frame["rows"]]),
            hovertemplate="%{x}<br>%{y:.1%} of %{customdata[0]:,} rows<extra></extra>",
        )
    )
    if "score_mean" in frame:
        fig.add_trace(
            go.Scatter(
                x=frame[column],
                y=frame["score_mean"],
                mode="markers",
                name="Predicted (mean)",
                marker={"symbol": "diamond", "size": 9, "color": "#111827"},
                hovertemplate="%{x}<br>predicted %{y:.1%}<extra></extra>",
            )
        )
    fig.update_yaxes(tickformat=".0%", title_text=outcome)
    fig.update_layout(clickmode="event")
    return _as_values(fig, percent)


def hour_weekday_heatmap(matrix: pd.DataFrame, title: str, outcome: str) -> go.Figure:
    """Outcome rate by weekday and hour of day."""
    if np.all(np.isnan(matrix.to_numpy())):
        return empty(title)
    fig = figure(title)
    fig.add_trace(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=WEEKDAYS,
            colorscale=RISK_SCALE,
            zmin=0,
            zmax=0.6,
            colorbar={"tickformat": ".0%", "title": {"text": ""}},
            hovertemplate="%{y} %{x}:00<br>" + outcome + " %{z:.1%}<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.update_xaxes(title_text="Hour of day", dtick=2)
    fig.update_yaxes(autorange="reversed")
    return fig


def daily_trend(
    frame: pd.DataFrame, title: str, outcome: str, percent: bool = True
) -> go.Figure:
    """Daily outcome rate with its 7-day rolling mean."""
    if frame.empty:
        return empty(title)
    fig = figure(title)
    fig.add_trace(
        go.Scatter(
            x=frame["date"],
            y=frame["target_mean"],
            mode="lines",
            name="Daily",
            line={"color": "#93c5fd", "width": 1},
            hovertemplate="%{x|%a %d %b}: %{y:.1%}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=frame["date"],
            y=frame["rolling"],
            mode="lines",
            name="7-day rolling mean",
            line={"color": PRIMARY, "width": 2.5},
            hovertemplate="%{x|%d %b} 7-day: %{y:.1%}<extra></extra>",
        )
    )
    if "score_mean" in frame:
        fig.add_trace(
            go.Scatter(
                x=frame["date"],
                y=frame["score_mean"],
                mode="lines",
                name="Predicted (daily mean)",
                line={"color": ACCENT, "width": 1.5, "dash": "dot"},
                hovertemplate="%{x|%d %b} predicted %{y:.1%}<extra></extra>",
            )
        )
    fig.update_yaxes(tickformat=".0%", title_text=outcome)
    return _as_values(fig, percent)


def measure_distribution(
    frame: pd.DataFrame, title: str, label: str, threshold: float | None
) -> go.Figure:
    """Histogram of the measure from server-side bin counts."""
    if frame["count"].sum() == 0:
        return empty(title)
    fig = figure(title)
    centers = (frame["low"] + frame["high"]) / 2
    fig.add_trace(
        go.Bar(
            x=centers,
            y=frame["count"],
            width=(frame["high"] - frame["low"]).to_numpy(),
            marker={
                "color": np.where(
                    centers >= (threshold or np.inf), "#f97316", "#93c5fd"
                )
            },
            customdata=np.column_stack([frame["low"], frame["high"]]),
            hovertemplate="%{customdata[0]:.0f} to %{customdata[1]:.0f}: %{y:,}<extra></extra>",
        )
    )
    if threshold is not None:
        fig.add_vline(x=threshold, line={"color": MUTED, "dash": "dash"})
    fig.update_xaxes(title_text=label)
    fig.update_yaxes(title_text="Rows")
    return fig


def rate_by_bins(
    frame: pd.DataFrame, title: str, label: str, outcome: str, percent: bool = True
) -> go.Figure:
    """Outcome rate per quantile bin of a numeric column (e.g. visibility)."""
    if frame["labelled"].sum() == 0:
        return empty(title)
    fig = figure(title)
    names = [
        f"{lo:g}–{hi:g}" for lo, hi in zip(frame["low"], frame["high"], strict=True)
    ]
    fig.add_trace(
        go.Bar(
            x=names,
            y=frame["target_mean"],
            customdata=frame["labelled"],
            marker={
                "color": frame["target_mean"],
                "colorscale": RISK_SCALE,
                "cmin": 0,
                "cmax": 0.5,
            },
            hovertemplate=label
            + " %{x}<br>%{y:.1%} of %{customdata:,} rows<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=label, type="category")
    fig.update_yaxes(tickformat=".0%", title_text=outcome)
    return _as_values(fig, percent)


def route_map(
    routes: pd.DataFrame,
    origins: pd.DataFrame,
    dests: pd.DataFrame,
    title: str,
    outcome: str,
    origin: str,
    dest: str,
    top_lines: int = 40,
) -> go.Figure:
    """Top routes as lines and destination airports as dots sized by traffic, colored by rate."""
    if routes.empty:
        return empty(title, height=420)
    fig = figure(title, height=420)
    lines = (
        routes.head(top_lines)
        .join(origins, on=origin)
        .join(dests.add_suffix("_dest"), on=dest)
        .dropna()
    )
    lon = np.column_stack(
        [lines["lon"], lines["lon_dest"], np.full(len(lines), np.nan)]
    ).ravel()
    lat = np.column_stack(
        [lines["lat"], lines["lat_dest"], np.full(len(lines), np.nan)]
    ).ravel()
    fig.add_trace(
        go.Scattergeo(
            lon=lon,
            lat=lat,
            mode="lines",
            line={"width": 1, "color": "rgba(37,99,235,0.35)"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    positives = routes["target_mean"].fillna(0) * routes["labelled"]
    by_dest = (
        routes.assign(positives=positives)
        .groupby(dest, sort=False)[["rows", "labelled", "positives"]]
        .sum()
    )
    by_dest = by_dest.join(dests).dropna()
    by_dest["rate"] = by_dest["positives"] / by_dest["labelled"].clip(lower=1)
    by_origin = (
        routes.groupby(origin, sort=False)["rows"]
        .sum()
        .to_frame()
        .join(origins)
        .dropna()
    )
    size = 6 + 24 * np.sqrt(by_dest["rows"] / by_dest["rows"].max())
    fig.add_trace(
        go.Scattergeo(
            lon=by_dest["lon"],
            lat=by_dest["lat"],
            text=by_dest.index,
            mode="markers",
            name="Destinations",
            customdata=np.column_stack(
                [by_dest.index, by_dest["rows"], by_dest["rate"]]
            ),
            marker={
                "size": size,
                "color": by_dest["rate"],
                "colorscale": RISK_SCALE,
                "cmin": 0,
                "cmax": 0.5,
                "line": {"width": 0.5, "color": "white"},
                "colorbar": {"tickformat": ".0%", "title": {"text": outcome}},
            },
            hovertemplate="%{customdata[0]}: %{customdata[1]:,} rows, %{customdata[2]:.1%}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattergeo(
            lon=by_origin["lon"],
            lat=by_origin["lat"],
            text=by_origin.index,
            mode="markers+text",
            name="Origins",
            customdata=np.column_stack([by_origin.index, by_origin["rows"]]),
            textposition="middle right",
            marker={"size": 12, "color": "#111827", "symbol": "square"},
            hovertemplate="%{customdata[0]} (origin): %{customdata[1]:,} rows<extra></extra>",
        )
    )
    fig.update_geos(
        scope="usa",
        showland=True,
        landcolor="#f3f4f6",
        subunitcolor="#d1d5db",
        showlakes=False,
    )
    fig.update_layout(margin={"l": 0, "r": 0, "t": 44, "b": 0}, showlegend=False)
    return fig
