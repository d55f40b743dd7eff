"""Model card wiring: the threshold slider redraws the confusion matrix from stored counts."""

from __future__ import annotations

from dash import Input, Output, no_update

from components import ids
from components import model_figures as figures
from data.inputs import BadInput, parse_number


def register(app, app_ctx) -> None:
    if app_ctx.service.kind != "binary":
        return

    @app.callback(
        Output(ids.CONFUSION_CHART, "figure"),
        Output(ids.CONFUSION_SUMMARY, "children"),
        Input(ids.THRESHOLD, "value"),
    )
    def confusion_at(threshold):
        try:
            threshold = parse_number(threshold, "The threshold")
        except BadInput:
            threshold = None
        if threshold is None or not 0 <= threshold <= 1:
            return no_update, "The threshold must be a number between 0 and 1."
        card = app_ctx.service.card  # the champion's now, after any promote
        table = card.curves.thresholds
        step = min(
            range(len(table.values)), key=lambda i: abs(table.values[i] - threshold)
        )
        tp, fp, tn, fn = table.tp_fp_tn_fn[step]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        summary = (
            f"At {table.values[step]:.2f}: flags {tp + fp:,} of {tp + fp + tn + fn:,} holdout rows; "
            f"precision {precision:.1%}, recall {recall:.1%}."
        )
        return figures.confusion(
            tp, fp, tn, fn, table.values[step], card.outcome
        ), summary
