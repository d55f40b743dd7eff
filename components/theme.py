"""Shared look for every figure: one template, one palette."""

from __future__ import annotations

import plotly.graph_objects as go

INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
PRIMARY, ACCENT, GOOD, BAD = "#2563eb", "#f59e0b", "#059669", "#dc2626"
RISK_SCALE = [[0.0, "#ecfdf5"], [0.35, "#fde68a"], [0.7, "#f97316"], [1.0, "#b91c1c"]]

LAYOUT = go.Layout(
    font={
        "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        "size": 12,
        "color": INK,
    },
    paper_bgcolor="white",
    plot_bgcolor="white",
    margin={"l": 56, "r": 16, "t": 44, "b": 44},
    title={"x": 0.01, "xanchor": "left", "font": {"size": 14}},
    xaxis={"gridcolor": GRID, "zeroline": False},
    yaxis={"gridcolor": GRID, "zeroline": False},
    hoverlabel={"bgcolor": "white"},
    legend={"orientation": "h", "y": -0.18},
)


def figure(title: str, height: int = 320) -> go.Figure:
    """An empty figure with the house style and a title."""
    fig = go.Figure(layout=LAYOUT)
    fig.update_layout(title_text=title, height=height)
    return fig


def empty(
    title: str, message: str = "No rows match these filters", height: int = 320
) -> go.Figure:
    fig = figure(title, height)
    fig.add_annotation(
        text=message,
        showarrow=False,
        font={"color": MUTED, "size": 14},
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
