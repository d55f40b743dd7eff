"""The route map: the busiest routes as lines, destinations sized by traffic and colored
by the outcome rate, and a few labels placed so that none lands on another."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from components.theme import INK, PRIMARY, RISK_SCALE, Figure, empty, figure
from data.names import option_label

# The map's traces, in order: route lines, destinations, origins, labels. A click reports
# only the trace index, so the Overview tells origin from destination clicks by it.
MAP_ORIGIN_TRACE = 2
MAP_HEIGHT = 460
LABELLED = 8  # destinations named on the map: the busiest that crowd no other label
APART = 3.0  # degrees: a destination this close to a label is named on hover only
NEAR = 1.5  # degrees: origins this close share one label (EWR, JFK and LGA)
GEO = {
    "scope": "usa",
    "projection": {"type": "albers usa"},
    "showland": True,
    "landcolor": "#f3f4f6",
    "subunitcolor": "#d1d5db",
    "showlakes": False,
    "bgcolor": "white",
}


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
        "line": {"width": 1, "color": _faded(PRIMARY, 0.35)},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _faded(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def origin_groups(origins: pd.DataFrame, near: float = NEAR) -> list[list[int]]:
    """Positions of origins that sit close together (the three NYC airports), grouped."""
    groups: list[list[int]] = []
    points = origins[["lat", "lon"]].to_numpy()
    for i, point in enumerate(points):
        home = next(
            (g for g in groups if np.hypot(*(points[g[0]] - point)) < near), None
        )
        if home is None:
            groups.append([i])
        else:
            home.append(i)
    return groups


class Label(NamedTuple):
    lat: float
    lon: float
    text: str
    position: str


def map_labels(
    origins: pd.DataFrame, dests: pd.DataFrame, top: int = LABELLED
) -> list[Label]:
    """Where to write which code: one label per group of origins, below its right; then the
    busiest destinations that are at least APART from every label already placed."""
    labels, taken = [], origins[["lat", "lon"]].to_numpy().tolist()
    codes = origins["airport"].astype(str).to_numpy()
    for group in origin_groups(origins):
        lat = float(origins["lat"].to_numpy()[group].mean())
        # One code a line, hanging down and to the right of the group, clear of its
        # markers: out to sea for New York, away from Boston's label above it, and
        # narrow enough to stay inside a phone's map.
        east = float(origins["lon"].to_numpy()[group].max()) + 0.8
        text = "<br>".join(sorted(codes[group]))
        labels.append(Label(lat, east, text, "bottom right"))
    order = np.argsort(-dests["rows"].to_numpy(), kind="stable")
    lats, lons = dests["lat"].to_numpy()[order], dests["lon"].to_numpy()[order]
    named = 0
    for lat, lon, code in zip(
        lats.tolist(), lons.tolist(), dests["airport"].to_numpy()[order], strict=True
    ):
        if named == top:
            break
        if all(math.hypot(lat - t[0], lon - t[1]) >= APART for t in taken):
            labels.append(Label(lat, lon, str(code), "top center"))
            taken.append((lat, lon))
            named += 1
    return labels


def _labels_trace(labels: list[Label]) -> dict:
    return {
        "type": "scattergeo",
        "lat": [label.lat for label in labels],
        "lon": [label.lon for label in labels],
        "text": [label.text for label in labels],
        "textposition": [label.position for label in labels],
        "mode": "text",
        "textfont": {"size": 11, "color": INK},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _airport_names(frame: pd.DataFrame, names: dict[str, str]) -> list[str]:
    return [option_label(c, names.get(c)) for c in frame["airport"].astype(str)]


def _dests_trace(dests: pd.DataFrame, outcome: str, names, counted: str) -> dict:
    size = 6 + 22 * np.sqrt(dests["rows"] / dests["rows"].max())
    return {
        "type": "scattergeo",
        "lon": dests["lon"].to_numpy(),
        "lat": dests["lat"].to_numpy(),
        "text": dests["airport"].tolist(),  # the code: what a click filters by
        "hovertext": _airport_names(dests, names),
        "mode": "markers",
        "name": "Destinations",
        "customdata": np.column_stack([dests["rows"], dests["target_mean"]]),
        "marker": {
            "size": size.to_numpy(),
            "color": dests["target_mean"].to_numpy(),
            "colorscale": RISK_SCALE,
            "cmin": 0,
            "cmax": 0.5,
            "line": {"width": 0.6, "color": "rgba(0,0,0,0.45)"},
            "colorbar": {  # lying under the map, so the map keeps the width
                "orientation": "h",
                "tickformat": ".0%",
                "title": {"text": outcome, "side": "top"},
                "x": 0.5,
                "xanchor": "center",
                "y": 0,
                "yanchor": "top",
                "len": 0.5,
                "thickness": 10,
            },
        },
        "hovertemplate": f"%{{hovertext}}<br>%{{customdata[0]:,}} {counted}, "
        "%{customdata[1]:.1%}<extra></extra>",
    }


def _origins_trace(origins: pd.DataFrame, names, counted: str) -> dict:
    return {
        "type": "scattergeo",
        "lon": origins["lon"].to_numpy(),
        "lat": origins["lat"].to_numpy(),
        "text": origins["airport"].tolist(),
        "hovertext": _airport_names(origins, names),
        "mode": "markers",
        "name": "Origins",
        "customdata": origins["rows"].to_numpy(),
        "marker": {"size": 9, "color": INK, "symbol": "square"},
        "hovertemplate": f"%{{hovertext}} (origin)<br>%{{customdata:,}} {counted}"
        "<extra></extra>",
    }


def route_map(
    route_coords: np.ndarray,
    origins: pd.DataFrame,
    dests: pd.DataFrame,
    title: str,
    outcome: str,
    names: tuple[dict[str, str], dict[str, str]] = ({}, {}),
    counted: str = "rows",
) -> Figure:
    """Busiest routes as lines; destinations sized by traffic and colored by outcome rate.

    `origins` and `dests` are per-airport frames (airport, rows, target_mean, lat, lon);
    `names` the origins' and the destinations' display names, shown on hover.
    """
    if dests.empty:
        return _sized(empty(title, height=MAP_HEIGHT))
    fig = figure(
        title,
        margin={"l": 0, "r": 0, "t": 44, "b": 56},
        showlegend=False,
        geo=GEO,
    )
    fig["data"] = [
        _route_lines(route_coords),
        _dests_trace(dests, outcome, names[1], counted),
        _origins_trace(origins, names[0], counted),
        _labels_trace(map_labels(origins, dests)),
    ]
    return _sized(fig)


def _sized(fig: Figure) -> Figure:
    """As tall as its box: the page sizes the map (assets/flightdeck.css: less on a phone,
    where the country is short), and a report gives it its own size."""
    fig["layout"].pop("height", None)
    fig["layout"]["autosize"] = True
    return fig
