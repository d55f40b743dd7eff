"""Model card and prediction figures: pure functions of card entries or small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.theme import ACCENT, BAD, GOOD, MUTED, PRIMARY, figure


def calibration(curve: dict) -> go.Figure:
    fig = figure("Calibration on the holdout")
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="Perfect",
            line={"color": MUTED, "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["predicted"],
            y=curve["observed"],
            mode="lines+markers",
            name="Model",
            line={"color": PRIMARY},
            hovertemplate="predicted %{x:.1%} → observed %{y:.1%}<extra></extra>",
        )
    )
    top = max(max(curve["predicted"]), max(curve["observed"])) * 1.1
    fig.update_xaxes(
        title_text="Predicted probability", tickformat=".0%", range=[0, top]
    )
    fig.update_yaxes(title_text="Observed rate", tickformat=".0%", range=[0, top])
    return fig


def roc(curve: dict, auc: float, baseline_auc: float | None = None) -> go.Figure:
    fig = figure(f"ROC on the holdout (AUC {auc:.3f})")
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="Chance",
            line={"color": MUTED, "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["fpr"],
            y=curve["tpr"],
            mode="lines",
            name="Model",
            line={"color": PRIMARY},
        )
    )
    fig.update_xaxes(title_text="False positive rate", range=[0, 1])
    fig.update_yaxes(title_text="True positive rate", range=[0, 1])
    if baseline_auc is not None:
        fig.add_annotation(
            text=f"baseline AUC {baseline_auc:.3f}",
            x=0.98,
            y=0.04,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor="right",
            font={"color": MUTED},
        )
    return fig


def confusion(
    tp: int, fp: int, tn: int, fn: int, threshold: float, positive: str
) -> go.Figure:
    fig = figure(f"Confusion matrix at threshold {threshold:.2f}")
    z = np.array([[tn, fp], [fn, tp]])
    text = [[f"{v:,}" for v in row] for row in z]
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=["Predicted no", f"Predicted {positive}"],
            y=["Actually no", f"Actually {positive}"],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            hovertemplate="%{y}, %{x}: %{z:,}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def importance(rows: list[dict], labels: dict[str, str]) -> go.Figure:
    ordered = sorted(rows, key=lambda r: r["mean"])
    fig = figure("Permutation importance (holdout sample)", height=360)
    fig.add_trace(
        go.Bar(
            x=[r["mean"] for r in ordered],
            y=[labels.get(r["feature"], r["feature"]) for r in ordered],
            orientation="h",
            marker={"color": PRIMARY},
            error_x={
                "type": "data",
                "array": [r["std"] for r in ordered],
                "color": MUTED,
            },
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Drop in score when shuffled")
    fig.update_layout(margin={"l": 170})
    return fig


def residuals(curve: dict) -> go.Figure:
    fig = figure("Residuals on the holdout (sample)")
    fig.add_trace(
        go.Scatter(
            x=curve["predicted"],
            y=curve["residual"],
            mode="markers",
            marker={"size": 5, "color": PRIMARY, "opacity": 0.55},
            hovertemplate="predicted %{x:.3g}, residual %{y:.3g}<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": MUTED, "dash": "dash"})
    fig.update_xaxes(title_text="Predicted")
    fig.update_yaxes(title_text="Actual − predicted")
    return fig


def effects(frame: pd.DataFrame, percent: bool, top: int = 10) -> go.Figure:
    """Per-feature effect on this prediction, largest first."""
    shown = frame.head(top).iloc[::-1]
    fig = figure("Why: what each input does to this prediction", height=360)
    names = [
        f"{f} = {v:g}" if isinstance(v, float) else f"{f} = {v}"
        for f, v in zip(shown["feature"], shown["value"], strict=True)
    ]
    fmt = "+.1%" if percent else "+.3g"
    fig.add_trace(
        go.Bar(
            x=shown["effect"],
            y=names,
            orientation="h",
            marker={"color": np.where(shown["effect"] > 0, BAD, GOOD)},
            hovertemplate="%{y}: %{x:" + fmt + "}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title_text="Effect vs. the feature's typical values",
        tickformat="+.0%" if percent else None,
    )
    fig.update_layout(margin={"l": 220})
    return fig


def whatif(
    frame: pd.DataFrame, current: float, value: float, label: str, percent: bool
) -> go.Figure:
    """The prediction across the what-if feature, with this input marked."""
    fig = figure(f"What if: prediction by {label.lower()}")
    fig.add_trace(
        go.Scatter(
            x=frame["value"],
            y=frame["prediction"],
            mode="lines+markers",
            name="Prediction",
            line={"color": PRIMARY, "width": 2.5},
            marker={"size": 6},
            hovertemplate="%{x:g}: %{y:"
            + (".1%" if percent else ".3g")
            + "}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[current],
            y=[value],
            mode="markers",
            name="This input",
            marker={
                "size": 14,
                "color": ACCENT,
                "line": {"width": 2, "color": "white"},
            },
        )
    )
    fig.update_xaxes(title_text=label)
    fig.update_yaxes(tickformat=".0%" if percent else None, rangemode="tozero")
    return fig
