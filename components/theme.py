"""Shared look for every figure, and the figure-dict helpers the builders use.

Builders return plain Plotly figure dicts ({"data": [...], "layout": {...}}), which dcc.Graph
takes as is. Building a validated go.Figure costs ~6 ms a chart, against ~0 for a dict, and
the Overview redraws six charts per filter change; tests validate every builder's output
through go.Figure instead, so a wrong property still fails a test.
"""

from __future__ import annotations

import copy

from data import formats

INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
PRIMARY, ACCENT, GOOD, BAD = "#2563eb", "#f59e0b", "#059669", "#dc2626"
# Every dcc.Graph of the app: Plotly's toolbar without its logo.
GRAPH_CONFIG = {"displaylogo": False}
RISK_SCALE = [[0.0, "#ecfdf5"], [0.35, "#fde68a"], [0.7, "#f97316"], [1.0, "#b91c1c"]]

Figure = dict

LAYOUT = {
    "font": {
        "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        "size": 12,
        "color": INK,
    },
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "margin": {"l": 56, "r": 16, "t": 44, "b": 64},
    "title": {"x": 0.01, "xanchor": "left", "font": {"size": 14}},
    "xaxis": {"gridcolor": GRID, "zeroline": False},
    "yaxis": {"gridcolor": GRID, "zeroline": False},
    "hoverlabel": {"bgcolor": "white"},
    "legend": {"orientation": "h", "y": -0.32},
    "modebar": {"orientation": "v"},
}


def figure(title: str, height: int = 320, **layout) -> Figure:
    """An empty figure dict with the house style, a title, and any layout overrides."""
    base = copy.deepcopy(LAYOUT)
    base["title"]["text"] = title
    base["height"] = height
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return {"data": [], "layout": base}


def empty(
    title: str, message: str = "No rows match these filters", height: int = 320
) -> Figure:
    return figure(
        title,
        height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": message,
                "showarrow": False,
                "font": {"color": MUTED, "size": 14},
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
            }
        ],
    )


def percent(value: float | None) -> str:
    """A rate for people: '—' when unknown, '< 0.1%' when tiny."""
    return "—" if value is None else formats.percent(value)
