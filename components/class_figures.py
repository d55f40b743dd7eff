"""Figures for multi-class targets: class mixes, class probabilities, per-class curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.theme import BLUES, CATEGORICAL, MUTED, Figure, empty, figure

# Okabe-Ito: told apart by colour-blind readers, and none of it reads as good or bad.
PALETTE = CATEGORICAL


def class_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)] if index < len(PALETTE) else MUTED


def class_mix_bars(
    names: list[str],
    frame: pd.DataFrame,
    classes: list[str],
    title: str,
    x_title: str,
    ticktext: list[str] | None = None,
) -> Figure:
    """Stacked bars: each class's share of the rows in each group (`ticktext`: how the
    groups read on the axis, when not as `names`)."""
    if frame.empty or frame["labelled"].sum() == 0:
        return empty(title)
    axis = {"title": {"text": x_title}, "type": "category"}
    if ticktext:
        axis.update(tickvals=names, ticktext=ticktext)
    fig = figure(
        title,
        barmode="stack",
        clickmode="event",
        xaxis=axis,
        yaxis={"tickformat": ".0%", "range": [0, 1], "title": {"text": "Share"}},
    )
    rows = frame["labelled"].to_numpy()
    for i, label in enumerate(classes):
        fig["data"].append(
            {
                "type": "bar",
                "x": names,
                "y": frame[label].to_numpy(),
                "name": label,
                "marker": {"color": class_color(i)},
                "customdata": rows,
                "hovertemplate": f"%{{x}}: {label} %{{y:.1%}} of %{{customdata:,}}"
                "<extra></extra>",
            }
        )
    return fig


def class_mix_trend(frame: pd.DataFrame, classes: list[str], title: str) -> Figure:
    """Each class's share over the last 7 days, day by day."""
    if frame.empty:
        return empty(title)
    dates = np.datetime_as_string(frame["date"].to_numpy(), unit="D").tolist()
    fig = figure(title, yaxis={"tickformat": ".0%", "title": {"text": "Share"}})
    for i, label in enumerate(classes):
        fig["data"].append(
            {
                "type": "scatter",
                "x": dates,
                "y": frame[label].to_numpy(),
                "mode": "lines",
                "name": label,
                "line": {"color": class_color(i), "width": 2},
                "hovertemplate": f"%{{x|%a %d %b}} {label}: %{{y:.1%}}<extra></extra>",
            }
        )
    return fig


def class_probabilities(probabilities: dict[str, float]) -> Figure:
    """One bar per class: this input's probability of it."""
    labels = list(probabilities)
    fig = figure(
        "Probability of each class",
        height=max(160, 60 + 34 * len(labels)),
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"t": 36, "b": 32},
        showlegend=False,
    )
    fig["data"].append(
        {
            "type": "bar",
            "orientation": "h",
            "x": [probabilities[c] for c in labels],
            "y": labels,
            "marker": {"color": [class_color(i) for i in range(len(labels))]},
            "hovertemplate": "%{y}: %{x:.1%}<extra></extra>",
        }
    )
    return fig


def whatif_classes(
    frame: pd.DataFrame, classes: list[str], current: float, label: str
) -> Figure:
    """Each class's probability across the what-if feature, with this input marked."""
    fig = figure(
        f"What if: class probabilities by {label.lower()}",
        xaxis={"title": {"text": label}},
        yaxis={"tickformat": ".0%", "range": [0, 1]},
        shapes=[
            {
                "type": "line",
                "x0": current,
                "x1": current,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": MUTED, "dash": "dot"},
            }
        ],
    )
    for i, name in enumerate(classes):
        fig["data"].append(
            {
                "type": "scatter",
                "x": frame["value"].to_numpy(),
                "y": frame[name].to_numpy(),
                "mode": "lines+markers",
                "name": name,
                "line": {"color": class_color(i), "width": 2},
                "marker": {"size": 5},
                "hovertemplate": f"%{{x:,}}: {name} %{{y:.1%}}<extra></extra>",
            }
        )
    return fig


def confusion_classes(counts: list[list[int]], classes: list[str]) -> Figure:
    """Actual class (rows) by predicted class (columns) on the holdout."""
    z = np.asarray(counts)
    fig = figure(
        "Confusion matrix on the holdout (most likely class)",
        height=max(320, 120 + 40 * len(classes)),
        xaxis={"title": {"text": "Predicted"}, "type": "category"},
        yaxis={
            "title": {"text": "Actual"},
            "autorange": "reversed",
            "type": "category",
            "automargin": True,
        },
    )
    fig["data"].append(
        {
            "type": "heatmap",
            "z": z.tolist(),
            "x": classes,
            "y": classes,
            "text": [[f"{v:,}" for v in row] for row in z.tolist()],
            "texttemplate": "%{text}",
            "colorscale": BLUES,
            "showscale": False,
            "hovertemplate": "actual %{y}, predicted %{x}: %{z:,}<extra></extra>",
        }
    )
    return fig
