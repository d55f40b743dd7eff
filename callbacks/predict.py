"""Predict wiring: form values -> ModelService.predict -> result card, effects, what-if curve."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Input, Output, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import class_figures, ids
from components import model_figures as figures
from components.predict import result_card
from components.theme import empty
from data.inputs import BadInput, values_by_column
from model.service import OUTPUT, InputError, PredictionNotLogged
from server.auth import request_id, require


def register(app, app_ctx) -> None:
    kind = app_ctx.service.kind  # one spec, one kind: every version shares it

    outputs = {
        "message": Output(ids.PREDICT_MESSAGE, "children"),
        "result": Output(ids.PREDICT_RESULT, "children"),
        "effects": Output(ids.PREDICT_EFFECTS, "figure"),
        "whatif": Output(ids.PREDICT_WHATIF, "figure"),
    }
    if kind == "multiclass":
        outputs["probabilities"] = Output(ids.PREDICT_PROBABILITIES, "figure")
        outputs["stored"] = Output(ids.PREDICT_EFFECTS_STORE, "data")

    @app.callback(
        output=outputs,
        inputs={"values": Input({"type": ids.PREDICT_INPUT, "column": ALL}, "value")},
    )
    def predict(values):
        identity = require("analyst")
        schema = app_ctx.service.schema  # every version shares the spec's features
        try:
            raw = values_by_column(
                dash_ctx.args_grouping["values"], values, ids.PREDICT_INPUT, schema
            )
            # The version that answers stays this request's, even if a promote lands now.
            service, answer = app_ctx.models.predict(
                raw, source="whatif", user=identity.name, request_id=request_id()
            )
        except BadInput as exc:
            return _no_answer(_problems([str(exc)]), outputs)
        except InputError as exc:
            return _no_answer(_problems(exc.problems), outputs)
        except PredictionNotLogged as exc:
            return _no_answer(
                "The prediction could not be recorded, so it is not shown. "
                f"Try again in a moment (request {exc.request_id}).",
                outputs,
            )
        return _shown(answer, service, service.card.outcome)

    if kind == "multiclass":

        @app.callback(
            Output(ids.PREDICT_EFFECTS, "figure", allow_duplicate=True),
            Input(ids.PREDICT_CLASS, "value"),
            Input(ids.PREDICT_EFFECTS_STORE, "data"),
            prevent_initial_call=True,
        )
        def effects_for_class(chosen_class, stored):
            """Multi-class: the picked class's effects (the most likely one by default)."""
            service = app_ctx.service
            if not _stored_effects_ok(stored, service.classes):
                raise PreventUpdate
            frame = pd.DataFrame(stored["rows"], columns=stored["columns"])
            picked = chosen_class if chosen_class in service.classes else stored["top"]
            return _effects_figure(frame, picked, service)


def _stored_effects_ok(stored, classes: list[str]) -> bool:
    """The store holds what effects_rows wrote (a client could send anything)."""
    if not isinstance(stored, dict) or stored.get("classes") != classes:
        return False
    columns, rows = stored.get("columns"), stored.get("rows")
    return (
        columns == ["feature", "value", *classes]
        and stored.get("top") in classes
        and isinstance(rows, list)
        and all(isinstance(r, list) and len(r) == len(columns) for r in rows)
        and all(isinstance(v, int | float) for r in rows for v in r[2:])
    )


def effects_rows(effects: pd.DataFrame, service, top: str) -> dict:
    """Every class's effects, small, for the class picker to redraw without re-scoring."""
    return {
        "classes": service.classes,
        "top": top,
        "columns": list(effects.columns),
        "rows": effects.astype(object).to_numpy().tolist(),
    }


def _effects_figure(effects: pd.DataFrame, output: str, service):
    """The 'why' chart for one output (a class's probability, p(positive) or the value)."""
    effect = effects[output].to_numpy(dtype=float)
    order = np.abs(effect).argsort(kind="stable")[::-1]
    title = None if output == OUTPUT else f"Why: effects on the probability of {output}"
    return figures.effects(
        effects["feature"].to_numpy()[order].tolist(),
        effects["value"].to_numpy()[order].tolist(),
        effect[order],
        service.classification,
        title=title,
    )


def _shown(answer, service, outcome: str) -> dict:
    """The outputs for an answer: warnings, the result card, why, what if (and classes)."""
    message = None
    if answer.warnings:
        message = dbc.Alert(
            [html.Strong("Outside the training data: "), "; ".join(answer.warnings)],
            color="warning",
        )
    shown = {
        "message": message,
        "result": result_card(answer, service.kind, outcome),
        "whatif": _whatif(answer, service),
    }
    if service.kind != "multiclass":
        return shown | {"effects": _effects_figure(answer.effects, OUTPUT, service)}
    return shown | {
        "probabilities": class_figures.class_probabilities(answer.probabilities),
        "effects": no_update,  # drawn by effects_for_class, for the picked class
        "stored": effects_rows(answer.effects, service, answer.label),
    }


def _whatif(answer, service):
    feature = service.whatif_feature
    if not feature:
        return empty("What if", "Not set")
    label = service.schema[feature].label
    if service.kind == "multiclass":
        return class_figures.whatif_classes(
            answer.whatif, service.classes, answer.inputs[feature], label
        )
    return figures.whatif(
        answer.whatif,
        answer.inputs[feature],
        answer.value,
        label,
        service.classification,
        service.card.outcome,
    )


def _problems(problems: list[str]) -> list:
    items = html.Ul([html.Li(p) for p in problems], className="mb-0")
    return [html.Strong("Fix these inputs to get a prediction:"), items]


def _no_answer(message, outputs: dict) -> dict:
    """The outputs when there is no answer: the message, and charts that say so."""
    shown = {
        "message": dbc.Alert(message, color="danger"),
        "result": None,
        "effects": empty("Why", "No prediction"),
        "whatif": empty("What if", "No prediction"),
        "probabilities": no_update,
        "stored": None,
    }
    return {key: shown[key] for key in outputs}
