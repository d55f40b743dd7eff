"""Scenarios side by side: each one's answer, effects and what-if curve on one chart, in
one colour per scenario (Okabe-Ito: told apart with any colour vision)."""

from __future__ import annotations

import numpy as np

from components.theme import Figure, figure
from data.formats import percent, plain

SCENARIO_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
TOP_EFFECTS = 8


def _value_text(value: float, classification: bool) -> str:
    return percent(value) if classification else plain(value)


def scenario_values(names: list[str], answers: list, outcome: str, kind: str) -> Figure:
    """Each scenario's answer as a bar: its probability (and band) or predicted value."""
    classification = kind != "regression"
    title = (
        f"Chance of: {outcome}"
        if kind == "binary"
        else f"Probability of the most likely {outcome.lower()}"
        if kind == "multiclass"
        else f"Predicted {outcome.lower()}"
    )
    fig = figure(
        title,
        height=260,
        yaxis={"tickformat": ".0%" if classification else None, "rangemode": "tozero"},
        showlegend=False,
    )
    fig["data"] = [
        {
            "type": "bar",
            "x": names,
            "y": [a.value for a in answers],
            "marker": {"color": SCENARIO_COLORS[: len(names)]},
            "text": [
                f"{_value_text(a.value, classification)} · {a.label}"
                if kind != "regression"
                else _value_text(a.value, False)
                for a in answers
            ],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{x}: %{text}<extra></extra>",
        }
    ]
    return fig


def scenario_effects(
    names: list[str], effects: list, output: str, classification: bool, title: str
) -> Figure:
    """Each scenario's per-feature effects, grouped by feature (the largest first)."""
    features = list(effects[0]["feature"])
    size = np.zeros(len(features))
    for frame in effects:
        size = np.maximum(size, np.abs(frame[output].to_numpy(dtype=float)))
    order = size.argsort(kind="stable")[::-1][:TOP_EFFECTS][::-1]
    fig = figure(
        title,
        height=max(300, 60 + 34 * len(order) * max(1, len(names)) // 2),
        barmode="group",
        xaxis={"tickformat": "+.0%" if classification else "+.3g", "zeroline": True},
        margin={"l": 180},
    )
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": [features[i] for i in order],
            "x": frame[output].to_numpy(dtype=float)[order],
            "marker": {"color": SCENARIO_COLORS[n]},
            "hovertemplate": "%{y}: %{x:"
            + ("+.1%" if classification else "+.3g")
            + "}<extra>%{fullData.name}</extra>",
        }
        for n, (name, frame) in enumerate(zip(names, effects, strict=True))
    ]
    return fig


def scenario_whatifs(
    names: list[str],
    curves: list,
    currents: list[tuple[float, float]],
    output: str,
    label: str,
    classification: bool,
    title: str,
) -> Figure:
    """Each scenario's what-if curve, its own input marked on it."""
    fig = figure(
        title,
        height=360,
        xaxis={"title": {"text": label}},
        yaxis={"tickformat": ".0%" if classification else None, "rangemode": "tozero"},
        legend={"y": -0.4},
        margin={"b": 110},
    )
    fmt = ".1%" if classification else ".3g"
    for n, (name, frame, (x, y)) in enumerate(
        zip(names, curves, currents, strict=True)
    ):
        color = SCENARIO_COLORS[n]
        fig["data"] += [
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": frame["value"].to_numpy(),
                "y": frame[output].to_numpy(),
                "line": {
                    "color": color,
                    "width": 2.5,
                    "dash": ["solid", "dash", "dot", "dashdot"][n],
                },
                "hovertemplate": "%{x:g}: %{y:" + fmt + "}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "x": [x],
                "y": [y],
                "showlegend": False,
                "marker": {
                    "size": 12,
                    "color": color,
                    "line": {"width": 2, "color": "white"},
                },
                "hoverinfo": "skip",
            },
        ]
    return fig
