"""Two model versions on one chart: pure builders of their cards' curves, one trace each.

Each builder takes {legend name: card entry} for A then B (an entry may be None when a card
lacks that curve) and returns a plain figure dict in the house style.
"""

from __future__ import annotations

from collections.abc import Callable

from components.model_figures import DIAGONAL
from components.theme import ACCENT, PRIMARY, Figure, empty, figure
from model.card import Calibration, ClassScores, ModelCard, Residuals, Roc

SIDE_COLORS = (PRIMARY, ACCENT)  # A, B: neither reads as good or bad


def _with_diagonal(fig: Figure) -> Figure:
    """The y = x line (chance for ROC, perfect for calibration), kept out of the legend."""
    fig["data"].append(
        {
            "type": "scatter",
            "x": [0, 1],
            "y": [0, 1],
            "mode": "lines",
            "line": DIAGONAL,
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    return fig


def _with_traces(fig: Figure, entries: dict, trace: Callable) -> Figure:
    """Add trace(name, color, entry) for each side whose entry is there, A then B."""
    for color, (name, entry) in zip(SIDE_COLORS, entries.items(), strict=False):
        if entry is not None:
            fig["data"].append(trace(name, color, entry))
    return fig


def _nothing_to_draw(title: str, entries: dict) -> Figure | None:
    """A figure that says so when neither card holds the entry, else None."""
    if any(entry for entry in entries.values()):
        return None
    return empty(title, "Neither card holds this curve")


def _roc_trace(name: str, color: str, curve: Roc) -> dict:
    return {
        "type": "scatter",
        "x": curve.fpr,
        "y": curve.tpr,
        "mode": "lines",
        "name": name,
        "line": {"color": color},
        "hovertemplate": f"{name}<br>FPR %{{x:.2f}}, TPR %{{y:.2f}}<extra></extra>",
    }


def roc_overlay(curves: dict[str, Roc | None], auc: dict[str, float | None]) -> Figure:
    """Both ROC curves on the holdout, with A's and B's AUC in the title."""
    shown = " · ".join(
        f"{side} {value:.3f}"
        for side, value in zip("AB", auc.values(), strict=False)
        if value is not None
    )
    title = "ROC on the holdout" + (f" (AUC {shown})" if shown else "")
    fig = _nothing_to_draw(title, curves) or _with_diagonal(
        figure(
            title,
            xaxis={"title": {"text": "False positive rate"}, "range": [0, 1]},
            yaxis={"title": {"text": "True positive rate"}, "range": [0, 1]},
        )
    )
    return _with_traces(fig, curves, _roc_trace)


def _calibration_trace(name: str, color: str, curve: Calibration) -> dict:
    return {
        "type": "scatter",
        "x": curve.predicted,
        "y": curve.observed,
        "mode": "lines+markers",
        "name": name,
        "line": {"color": color},
        "hovertemplate": f"{name}<br>predicted %{{x:.1%}} → observed %{{y:.1%}}"
        "<extra></extra>",
    }


def calibration_overlay(curves: dict[str, Calibration | None]) -> Figure:
    """Both calibration curves (observed rate by predicted probability) on the holdout."""
    title = "Calibration on the holdout"
    present = [c for c in curves.values() if c is not None]
    if not present:
        return empty(title, "Neither card holds this curve")
    top = max(max(c.predicted + c.observed) for c in present) * 1.1
    axis = {"tickformat": ".0%", "range": [0, top]}
    fig = figure(
        title,
        xaxis={**axis, "title": {"text": "Predicted probability"}},
        yaxis={**axis, "title": {"text": "Observed rate"}},
    )
    _with_diagonal(fig)
    return _with_traces(fig, curves, _calibration_trace)


def per_class_overlay(rows: dict[str, list[ClassScores]], score: str) -> Figure:
    """One bar per class and version: its recall or precision on the holdout."""
    title = f"{score.capitalize()} of each class on the holdout"
    fig = _nothing_to_draw(title, rows) or figure(
        title,
        barmode="group",
        xaxis={"title": {"text": "Class"}, "type": "category"},
        yaxis={"tickformat": ".0%", "range": [0, 1], "title": {"text": score}},
    )

    def bars(name: str, color: str, classes: list[ClassScores]) -> dict:
        return {
            "type": "bar",
            "x": [c.label for c in classes],
            "y": [getattr(c, score) for c in classes],
            "name": name,
            "marker": {"color": color},
            "hovertemplate": f"{name}<br>%{{x}}: {score} %{{y:.1%}}<extra></extra>",
        }

    return _with_traces(fig, rows, bars)


def _residual_points(name: str, color: str, curve: Residuals) -> dict:
    return {
        "type": "scatter",
        "x": curve.predicted,
        "y": curve.residual,
        "mode": "markers",
        "name": name,
        "marker": {"size": 5, "color": color, "opacity": 0.5},
        "hovertemplate": f"{name}<br>predicted %{{x:.3g}}, residual %{{y:.3g}}"
        "<extra></extra>",
    }


def residuals_overlay(curves: dict[str, Residuals | None]) -> Figure:
    """Both versions' residuals against their predictions (the cards' samples)."""
    title = "Residuals on the holdout (sample)"
    zero = {"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": 0, "y1": 0}
    fig = _nothing_to_draw(title, curves) or figure(
        title,
        shapes=[{**zero, "line": DIAGONAL}],
        xaxis={"title": {"text": "Predicted"}},
        yaxis={"title": {"text": "Actual − predicted"}},
    )
    return _with_traces(fig, curves, _residual_points)


def _residual_histogram(name: str, color: str, curve: Residuals) -> dict:
    return {
        "type": "histogram",
        "x": curve.residual,
        "histnorm": "probability",
        "name": name,
        "opacity": 0.55,
        "marker": {"color": color},
        "hovertemplate": f"{name}<br>%{{x}}: %{{y:.1%}}<extra></extra>",
    }


def residual_spread(curves: dict[str, Residuals | None]) -> Figure:
    """How the residuals spread, one overlaid histogram per version."""
    title = "Spread of the residuals (sample)"
    fig = _nothing_to_draw(title, curves) or figure(
        title,
        barmode="overlay",
        xaxis={"title": {"text": "Actual − predicted"}},
        yaxis={"title": {"text": "Share of rows"}, "tickformat": ".0%"},
    )
    return _with_traces(fig, curves, _residual_histogram)


def compare_figures(cards: dict[str, ModelCard]) -> list[Figure]:
    """The overlaid charts for two cards of one kind, keyed by legend name (A, then B)."""
    kinds = {card.kind for card in cards.values()}
    if len(kinds) != 1:
        return []
    kind = kinds.pop()
    curves = {name: card.curves for name, card in cards.items()}
    if kind == "binary":
        auc = {n: c.metrics["model"].holdout.get("auc") for n, c in cards.items()}
        return [
            roc_overlay({n: c.roc for n, c in curves.items()}, auc),
            calibration_overlay({n: c.calibration for n, c in curves.items()}),
        ]
    if kind == "multiclass":
        rows = {name: card.per_class for name, card in cards.items()}
        return [per_class_overlay(rows, "recall"), per_class_overlay(rows, "precision")]
    residuals = {n: c.residuals for n, c in curves.items()}
    return [residuals_overlay(residuals), residual_spread(residuals)]
