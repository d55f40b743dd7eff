"""Model card and prediction figures: pure functions of card entries or small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.theme import ACCENT, BAD, BLUES, MUTED, PRIMARY, Figure, figure
from data.formats import plain

# Raises / lowers the prediction: neither is good or bad in general.
UP, DOWN = BAD, PRIMARY  # vermillion and blue: apart for every colour vision

DIAGONAL = {"color": MUTED, "dash": "dash"}


def _diagonal(name: str) -> dict:
    return {
        "type": "scatter",
        "x": [0, 1],
        "y": [0, 1],
        "mode": "lines",
        "name": name,
        "line": DIAGONAL,
    }


def calibration(curve) -> Figure:
    top = max(max(curve.predicted), max(curve.observed)) * 1.1
    fig = figure(
        "Calibration on the holdout",
        xaxis={
            "title": {"text": "Predicted probability"},
            "tickformat": ".0%",
            "range": [0, top],
        },
        yaxis={
            "title": {"text": "Observed rate"},
            "tickformat": ".0%",
            "range": [0, top],
        },
    )
    fig["data"] = [
        _diagonal("Perfect"),
        {
            "type": "scatter",
            "x": curve.predicted,
            "y": curve.observed,
            "name": "Model",
            "mode": "lines+markers",
            "line": {"color": PRIMARY},
            "hovertemplate": "predicted %{x:.1%} → observed %{y:.1%}<extra></extra>",
        },
    ]
    return fig


def roc(curve, auc: float, baseline_auc: float | None = None) -> Figure:
    notes = []
    if baseline_auc is not None:
        notes.append(
            {
                "text": f"baseline AUC {baseline_auc:.3f}",
                "x": 0.98,
                "y": 0.04,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "xanchor": "right",
                "font": {"color": MUTED},
            }
        )
    fig = figure(
        f"ROC on the holdout (AUC {auc:.3f})",
        annotations=notes,
        xaxis={"title": {"text": "False positive rate"}, "range": [0, 1]},
        yaxis={"title": {"text": "True positive rate"}, "range": [0, 1]},
    )
    fig["data"] = [
        _diagonal("Chance"),
        {
            "type": "scatter",
            "x": curve.fpr,
            "y": curve.tpr,
            "mode": "lines",
            "name": "Model",
            "line": {"color": PRIMARY},
        },
    ]
    return fig


def confusion(
    tp: int, fp: int, tn: int, fn: int, threshold: float, positive: str
) -> Figure:
    z = [[tn, fp], [fn, tp]]
    fig = figure(
        f"Confusion matrix at threshold {threshold:.2f}",
        yaxis={
            "autorange": "reversed",
            "automargin": True,
            "title": {"text": "Actual"},
        },
        xaxis={"title": {"text": f"Predicted ({positive}?)"}},
    )
    fig["data"].append(
        {
            "type": "heatmap",
            "z": z,
            "x": ["No", "Yes"],
            "y": ["No", "Yes"],
            "text": [[f"{v:,}" for v in r] for r in z],
            "texttemplate": "%{text}",
            "colorscale": BLUES,
            "showscale": False,
            "hovertemplate": "%{y}, %{x}: %{z:,}<extra></extra>",
        }
    )
    return fig


def importance(rows: list, labels: dict[str, str]) -> Figure:
    ordered = sorted(rows, key=lambda r: r.mean)
    fig = figure(
        "Permutation importance (holdout sample)",
        height=360,
        xaxis={"title": {"text": "Drop in score when shuffled"}},
        margin={"l": 170},
    )
    fig["data"].append(
        {
            "type": "bar",
            "orientation": "h",
            "x": [r.mean for r in ordered],
            "y": [labels.get(r.feature, r.feature) for r in ordered],
            "marker": {"color": PRIMARY},
            "error_x": {
                "type": "data",
                "array": [r.std for r in ordered],
                "color": MUTED,
            },
            "hovertemplate": "%{y}: %{x:.4f}<extra></extra>",
        }
    )
    return fig


def residuals(curve) -> Figure:
    zero = {
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "paper",
        "y0": 0,
        "y1": 0,
        "line": DIAGONAL,
    }
    fig = figure(
        "Residuals on the holdout (sample)",
        shapes=[zero],
        xaxis={"title": {"text": "Predicted"}},
        yaxis={"title": {"text": "Actual − predicted"}},
    )
    fig["data"].append(
        {
            "type": "scatter",
            "x": curve.predicted,
            "y": curve.residual,
            "mode": "markers",
            "marker": {"size": 5, "color": PRIMARY, "opacity": 0.55},
            "hovertemplate": "predicted %{x:.3g}, residual %{y:.3g}<extra></extra>",
        }
    )
    return fig


def _shown(value) -> str:
    return plain(value) if isinstance(value, (int, float)) else str(value)


def effects(
    features: list[str],
    values: list,
    effect: np.ndarray,
    percent: bool,
    top: int = 10,
    title: str | None = None,
) -> Figure:
    """Per-feature effect on this prediction, largest first (the inputs come largest first)."""
    names = [
        f"{f} = {_shown(v)}" for f, v in zip(features[:top], values[:top], strict=True)
    ][::-1]
    bars = np.asarray(effect[:top], dtype=float)[::-1]
    fig = figure(
        title or "Why: what each input does to this prediction",
        height=360,
        xaxis={
            "title": {"text": "Effect vs. the feature's typical values"},
            "tickformat": "+.0%" if percent else None,
        },
        margin={"l": 220},
    )
    fig["data"].append(
        {
            "type": "bar",
            "orientation": "h",
            "x": bars,
            "y": names,
            "marker": {"color": np.where(bars > 0, UP, DOWN).tolist()},
            "hovertemplate": "%{y}: %{x:"
            + ("+.1%" if percent else "+.3g")
            + "}<extra></extra>",
        }
    )
    return fig


def whatif(
    frame: pd.DataFrame,
    current: float,
    value: float,
    label: str,
    percent: bool,
    outcome: str = "Prediction",
) -> Figure:
    """The prediction across the what-if feature, with this input marked."""
    fig = figure(
        f"What if: prediction by {label.lower()}",
        xaxis={"title": {"text": label}},
        yaxis={
            "title": {"text": f"{outcome} (predicted)"},
            "tickformat": ".0%" if percent else None,
            "rangemode": "tozero",
        },
    )
    fig["data"] = [
        {
            "type": "scatter",
            "x": frame["value"].to_numpy(),
            "y": frame["prediction"].to_numpy(),
            "mode": "lines+markers",
            "name": "Prediction",
            "line": {"color": PRIMARY, "width": 2.5},
            "marker": {"size": 6},
            "hovertemplate": "%{x:g}: %{y:"
            + (".1%" if percent else ".3g")
            + "}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": [current],
            "y": [value],
            "mode": "markers",
            "name": "This input",
            "marker": {
                "size": 14,
                "color": ACCENT,
                "line": {"width": 2, "color": "white"},
            },
        },
    ]
    return fig
