"""Predict wiring: form values -> ModelService.predict -> result card, effects, what-if curve."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, html
from dash import ctx as dash_ctx

from components import ids
from components import model_figures as figures
from components.predict import result_card
from components.theme import empty
from data.inputs import BadInput, values_by_column
from model.service import InputError, PredictionNotLogged
from server.auth import request_id, require


def register(app, app_ctx) -> None:
    service, outcome = app_ctx.service, app_ctx.outcome

    @app.callback(
        Output(ids.PREDICT_MESSAGE, "children"),
        Output(ids.PREDICT_RESULT, "children"),
        Output(ids.PREDICT_EFFECTS, "figure"),
        Output(ids.PREDICT_WHATIF, "figure"),
        Input({"type": ids.PREDICT_INPUT, "column": ALL}, "value"),
    )
    def predict(values):
        identity = require("analyst")
        try:
            raw = values_by_column(
                dash_ctx.inputs_list[0], values, ids.PREDICT_INPUT, service.schema
            )
            answer = service.predict(
                raw, source="whatif", user=identity.name, request_id=request_id()
            )
        except BadInput as exc:
            return _no_answer(_problems([str(exc)]))
        except InputError as exc:
            return _no_answer(_problems(exc.problems))
        except PredictionNotLogged as exc:
            return _no_answer(
                "The prediction could not be recorded, so it is not shown. "
                f"Try again in a moment (request {exc.request_id})."
            )
        return _shown(answer, service, outcome)


def _shown(answer, service, outcome: str) -> tuple:
    """The four outputs for an answer: warnings, the result card, why, and what if."""
    message = None
    if answer.warnings:
        message = dbc.Alert(
            [html.Strong("Outside the training data: "), "; ".join(answer.warnings)],
            color="warning",
        )
    card = result_card(
        answer.value,
        answer.band,
        answer.version,
        service.classification,
        outcome,
        answer.request_id,
    )
    effects = figures.effects(answer.effects, service.classification)
    return message, card, effects, _whatif(answer, service)


def _whatif(answer, service):
    feature = service.whatif_feature
    if not feature:
        return empty("What if", "Not set")
    return figures.whatif(
        answer.whatif,
        answer.inputs[feature],
        answer.value,
        service.schema[feature]["label"],
        service.classification,
    )


def _problems(problems: list[str]) -> list:
    items = html.Ul([html.Li(p) for p in problems], className="mb-0")
    return [html.Strong("Fix these inputs to get a prediction:"), items]


def _no_answer(message) -> tuple:
    alert = dbc.Alert(message, color="danger")
    return alert, None, empty("Why", "No prediction"), empty("What if", "No prediction")
