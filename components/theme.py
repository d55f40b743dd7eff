"""Shared look for every figure, and the figure-dict helpers the builders use.

Builders return plain Plotly figure dicts ({"data": [...], "layout": {...}}), which dcc.Graph
takes as is. Building a validated go.Figure costs ~6 ms a chart, against ~0 for a dict, and
the Overview redraws six charts per filter change; tests validate every builder's output
through go.Figure instead, so a wrong property still fails a test.
"""

from __future__ import annotations

import copy

import numpy as np

from data import formats

INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
# Okabe & Ito's colour-blind-safe palette: categorical series take it in this order.
CATEGORICAL = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
PRIMARY, ACCENT, GOOD, BAD = CATEGORICAL[0], CATEGORICAL[1], CATEGORICAL[2], "#D55E00"
LIGHT = CATEGORICAL[4]  # the lighter partner of PRIMARY (daily values under their mean)
# Rates and risks: ColorBrewer's YlOrBr, light (low) to dark brown-red (high), one hue
# order that reads the same with every common colour-vision deficiency.
RISK_SCALE = [
    [0.0, "#fff7bc"],
    [0.25, "#fee391"],
    [0.5, "#fec44f"],
    [0.75, "#ec7014"],
    [1.0, "#8c2d04"],
]
# Counts and shares with no good or bad side (confusion matrix, drift): one blue.
BLUES = [[0.0, "#f0f7fc"], [1.0, PRIMARY]]
# What hides the toolbar of a chart with nothing to act on (layout.modebar.remove).
NO_TOOLS = [
    *("toimage", "zoom", "pan", "select", "lasso", "zoomin", "zoomout"),
    *("autoscale", "reset", "resetscale", "resetviews", "togglespikelines"),
    "togglehover",
    *("hoverclosest", "hovercompare", "sendChartToCloud"),
]
# Every dcc.Graph of the app: a short toolbar (save, zoom, pan, reset), shown on hover,
# lying flat in the top margin beside the title instead of standing over the chart.
GRAPH_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,  # no 'Share chart' upload of the data to Plotly Cloud
    "displayModeBar": "hover",
    "modeBarButtonsToRemove": [
        *("select2d", "lasso2d", "autoScale2d", "zoomIn2d", "zoomOut2d"),
        *("toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"),
        *("hoverClosestGeo", "sendChartToCloud"),
    ],
    "topojsonURL": "/assets/topojson/",  # the map's outlines, served by us (no CDN)
}

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
    "modebar": {
        "orientation": "h",
        "bgcolor": "rgba(255,255,255,0.9)",
        "color": MUTED,
        "activecolor": INK,
    },
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


def without_nan(fig: Figure) -> Figure:
    """The figure with NaN in its traces' arrays as None (JSON null, a gap to Plotly).

    Plotly's JSON encoder writes NaN as the non-standard `NaN`; when its output holds one
    it parses and writes the whole callback response again, routes table and all, which
    cost a refresh more than building the chart. Arrays are changed in place.
    """
    for trace in fig.get("data", []):
        _nulls(trace)
    return fig


def _nulls(node: dict) -> None:
    for key, value in node.items():
        if isinstance(value, dict):
            _nulls(value)
        elif (
            isinstance(value, np.ndarray)
            and value.dtype.kind == "f"
            and np.isnan(value).any()
        ):
            node[key] = np.where(np.isnan(value), None, value).tolist()


def empty(
    title: str, message: str = "No rows match these filters", height: int = 320
) -> Figure:
    """A titled figure that says why it has nothing to show, with no toolbar."""
    return figure(
        title,
        height,
        modebar={"remove": NO_TOOLS},
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
