"""Predict wiring: form values -> ModelService.predict -> result card, effects, what-if curve."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import class_figures, ids
from components.predict_figures import effects_figure, whatif_figure
from components.predict_link import inputs_query
from components.predict_result import result_card
from components.report_links import PREDICT_REPORT, report_href
from components.theme import empty
from data.inputs import BadInput, values_by_column
from model.service import OUTPUT, InputError, PredictionNotLogged
from server.auth import request_id, require

MARK_FIELDS = """
function (invalid) {
    const named = new Set(Array.isArray(invalid) ? invalid : []);
    return dash_clientside.callback_context.outputs_list.map(
        (output) => (named.has(output.id.column) ? "is-invalid" : "")
    );
}
"""


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
    outputs |= {
        "link": Output(ids.PREDICT_URL, "search"),
        "html": Output(ids.PREDICT_REPORT_HTML, "href"),
        "pdf": Output(ids.PREDICT_REPORT_PDF, "href"),
        "invalid": Output(ids.PREDICT_INVALID, "data"),
    }
    # The fields named by a refusal get Bootstrap's invalid mark, in the browser: a
    # wildcard output would make every client of this callback list each field.
    app.clientside_callback(
        MARK_FIELDS,
        Output({"type": ids.PREDICT_INPUT, "column": ALL}, "className"),
        Input(ids.PREDICT_INVALID, "data"),
    )

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
            shown = _no_answer(_problems(exc.problems), outputs)
            return shown | {"invalid": exc.fields}
        except PredictionNotLogged as exc:
            return _no_answer(
                "The prediction could not be recorded, so it is not shown. "
                f"Try again in a moment (request {exc.request_id}).",
                outputs,
            )
        query = inputs_query(answer.inputs, service.schema)
        return _shown(answer, service, service.card.outcome) | {
            "link": query,
            "html": report_href(PREDICT_REPORT, query, "html"),
            "pdf": report_href(PREDICT_REPORT, query, "pdf"),
            "invalid": [],
        }

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
            return effects_figure(frame, picked, service)


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
        "whatif": whatif_figure(answer, service),
    }
    if service.kind != "multiclass":
        return shown | {"effects": effects_figure(answer.effects, OUTPUT, service)}
    return shown | {
        "probabilities": class_figures.class_probabilities(answer.probabilities),
        "effects": no_update,  # drawn by effects_for_class, for the picked class
        "stored": effects_rows(answer.effects, service, answer.label),
    }


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
        "link": no_update,
        "html": None,  # no answer, nothing to report
        "pdf": None,
        "invalid": [],
    }
    return {key: shown[key] for key in outputs}
