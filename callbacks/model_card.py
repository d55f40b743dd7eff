"""Model card wiring: the threshold (slider or typed box, kept in step) redraws the confusion
matrix from stored counts."""

from __future__ import annotations

from dash import Input, Output, no_update
from dash import ctx as dash_ctx

from components import ids
from components import model_figures as figures
from components.theme import empty
from data.inputs import BadInput, parse_number

NOT_A_THRESHOLD = "The threshold must be a number between 0 and 1."


def _no_matrix():
    """No matrix rather than the last one under a message that says it is not valid."""
    return empty("Confusion matrix", "Type a threshold between 0 and 1", height=300)


def _threshold(value) -> float | None:
    try:
        number = parse_number(value, "The threshold")
    except BadInput:
        return None
    return number if number is not None and 0 <= number <= 1 else None


def register(app, app_ctx) -> None:
    if app_ctx.service.kind != "binary":
        return

    @app.callback(
        Output(ids.THRESHOLD, "value"),
        Output(ids.THRESHOLD_INPUT, "value"),
        Output(ids.CONFUSION_CHART, "figure", allow_duplicate=True),
        Output(ids.CONFUSION_SUMMARY, "children", allow_duplicate=True),
        Input(ids.THRESHOLD, "value"),
        Input(ids.THRESHOLD_INPUT, "value"),
        prevent_initial_call=True,
    )
    def threshold_in_step(slid, typed):
        """The slider and the box show one threshold; a typed one that is not a number
        between 0 and 1 clears the matrix and says so."""
        if dash_ctx.triggered_id == ids.THRESHOLD_INPUT:
            number = _threshold(typed)
            if number is None:
                return no_update, no_update, _no_matrix(), NOT_A_THRESHOLD
            return number, no_update, no_update, no_update
        number = _threshold(slid)
        return (
            no_update,
            (number if number is not None else no_update),
            no_update,
            no_update,
        )

    @app.callback(
        Output(ids.CONFUSION_CHART, "figure"),
        Output(ids.CONFUSION_SUMMARY, "children"),
        Input(ids.THRESHOLD, "value"),
    )
    def confusion_at(threshold):
        threshold = _threshold(threshold)
        if threshold is None:
            return _no_matrix(), NOT_A_THRESHOLD
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
