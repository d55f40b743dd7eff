"""Scenarios: save Predict's inputs under a name, and compare up to four side by side."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import ids
from components import scenario_figures as figures
from components.predict_actions import scenario_items
from components.scenario_compare import (
    MAX_COMPARED,
    compare_query,
    inputs_table,
    offered,
    pick_options,
)
from components.theme import empty
from data.inputs import BadInput, values_by_column
from data.scenarios import ScenarioError, ScenarioStore, is_scenario_id
from model.service import OUTPUT, InputError, PredictionNotLogged
from server.auth import request_id, require


def register(app, app_ctx) -> None:
    store = ScenarioStore(app_ctx.database)
    register_save(app, app_ctx, store)
    register_compare(app, app_ctx, store)
    register_delete(app, store)


def register_save(app, app_ctx, store: ScenarioStore) -> None:
    @app.callback(
        Output(ids.SCENARIO_MESSAGE, "children"),
        Output(ids.SCENARIO_LIST, "children"),
        Output(ids.PREDICT_URL, "search", allow_duplicate=True),
        Input(ids.SCENARIO_SAVE, "n_clicks"),
        Input(ids.SCENARIO_NAME, "n_submit"),
        State(ids.SCENARIO_NAME, "value"),
        State({"type": ids.PREDICT_INPUT, "column": ALL}, "value"),
        prevent_initial_call=True,
    )
    def save_scenario(_clicks, _submits, name, values):
        identity = require("analyst")
        service = app_ctx.service
        try:
            raw = values_by_column(
                dash_ctx.states_list[1], values, ids.PREDICT_INPUT, service.schema
            )
            clean, _ = service.validate(raw)
            saved = store.save(identity.name, name, clean, service.version)
        except InputError as exc:
            return _said(f"Not saved: fix the inputs first ({'; '.join(exc.problems)})")
        except (BadInput, ScenarioError) as exc:
            return _said(f"Not saved: {exc}")
        message = html.Span(
            [
                f"Saved “{saved.name}”. The address bar now links to it. ",
            ],
            className="text-success",
        )
        items = scenario_items(store.list(identity.name))
        return message, items, f"?scenario={saved.id}"


def _said(text: str):
    return html.Span(text, className="text-danger"), no_update, no_update


def register_compare(app, app_ctx, store: ScenarioStore) -> None:
    @app.callback(
        Output(ids.COMPARE_MESSAGE, "children"),
        Output(ids.COMPARE_VALUES, "figure"),
        Output(ids.COMPARE_TABLE, "children"),
        Output(ids.COMPARE_EFFECTS, "figure"),
        Output(ids.COMPARE_WHATIF, "figure"),
        Output(ids.COMPARE_URL, "search"),
        Input(ids.COMPARE_PICK, "value"),
    )
    def compare(picked):
        identity = require("analyst")
        if not isinstance(picked, list) or not all(map(is_scenario_id, picked)):
            raise PreventUpdate
        picked = list(dict.fromkeys(picked))
        note = None
        if len(picked) > MAX_COMPARED:
            note = f"Only {MAX_COMPARED} at a time: the first {MAX_COMPARED} ticked are shown."
            picked = picked[:MAX_COMPARED]
        scenarios = [s for i in picked if (s := store.get(i)) is not None]
        if not scenarios:
            return _nothing(note or "Tick scenarios to compare them.", picked)
        try:
            answers = _scored(app_ctx, scenarios, identity.name)
        except (InputError, BadInput) as exc:
            return _nothing(
                f"These scenarios cannot be scored by the model now: {exc}", picked
            )
        except PredictionNotLogged:
            return _nothing("The predictions could not be recorded; try again.", picked)
        return _compared(app_ctx, scenarios, answers, note, picked)


def register_delete(app, store: ScenarioStore) -> None:
    @app.callback(
        Output(ids.COMPARE_PICK, "options"),
        Output(ids.COMPARE_PICK, "value"),
        Output(ids.COMPARE_MESSAGE, "children", allow_duplicate=True),
        Input(ids.COMPARE_DELETE, "n_clicks"),
        State(ids.COMPARE_PICK, "value"),
        State(ids.COMPARE_PICK, "options"),
        prevent_initial_call=True,
    )
    def delete_scenarios(n_clicks, picked, options):
        identity = require("analyst")
        if not n_clicks or not isinstance(picked, list):
            raise PreventUpdate
        deleted = sum(
            store.delete(identity.name, i) for i in picked if is_scenario_id(i)
        )
        ticked = [i for i in picked if is_scenario_id(i)]
        own, shared = offered(store, identity.name, ticked)
        message = dbc.Alert(
            f"Deleted {deleted} scenario(s)."
            if deleted
            else "None of the ticked scenarios is yours to delete.",
            color="secondary" if deleted else "warning",
            dismissable=True,
        )
        return pick_options(own, shared), [s.id for s in shared], message


def _scored(app_ctx, scenarios, user: str) -> list:
    """Each scenario scored and logged: one row each, the first with this request's id."""
    first = request_id()
    return [
        app_ctx.models.predict(
            dict(s.inputs),
            source="compare",
            user=user,
            request_id=first if n == 0 else None,
        )
        for n, s in enumerate(scenarios)
    ]


def _nothing(message: str, picked: list[str]):
    blank = empty("", message, height=220)
    return (
        dbc.Alert(message, color="secondary"),
        blank,
        None,
        empty("Why", "Nothing to compare"),
        empty("What if", "Nothing to compare"),
        compare_query(picked),
    )


def _compared(app_ctx, scenarios, answers, note, picked):
    services = [service for service, _ in answers]
    answers = [answer for _, answer in answers]
    service = services[0]
    names = _names([s.name for s in scenarios])
    classification = service.classification
    output = answers[0].label if service.kind == "multiclass" else OUTPUT
    about = "" if output == OUTPUT else f" on the probability of {output}"
    values = figures.scenario_values(names, answers, service.card.outcome, service.kind)
    effects = figures.scenario_effects(
        names,
        [a.effects for a in answers],
        output,
        classification,
        f"Why: effects{about}",
    )
    feature = service.whatif_feature
    if feature:
        label = service.schema[feature].label
        currents = [(a.inputs[feature], _at(a, feature, output)) for a in answers]
        whatif = figures.scenario_whatifs(
            names,
            [a.whatif for a in answers],
            currents,
            output,
            label,
            classification,
            f"What if: by {label.lower()}{about}",
        )
    else:
        whatif = empty("What if", "Not set")
    message = dbc.Alert(note, color="warning") if note else None
    table = inputs_table(names, scenarios, service.schema)
    return message, values, table, effects, whatif, compare_query(picked)


def _at(answer, feature: str, output: str) -> float:
    """The answer's own value on its what-if curve (the row scored, for this output)."""
    if output == OUTPUT:
        return answer.value
    return answer.probabilities.get(output, answer.value)


def _names(names: list[str]) -> list[str]:
    """Names told apart on a chart axis: a repeated name gets its number."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
