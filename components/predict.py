"""Predict page: a form built from the model's feature schema, and the answer beside it."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.page import page_header
from components.predict_actions import actions_bar, scenarios_card
from components.predict_link import form_value, inputs_from_query, scenario_id
from components.theme import GRAPH_CONFIG
from context import AppContext
from data.formats import plain, span
from data.names import choices, option_label
from data.scenarios import ScenarioStore
from model.card import FeatureEntry

PICKED_LEVELS = 12  # whole numbers with at most this many values are picked from a list


def _control(entry: FeatureEntry, value, names: dict[str, str]):
    """A list for categories (by name, where they have one) and whole numbers with few
    values, else a number box."""
    control_id = ids.predict_input(entry.column)
    if entry.kind == "category":
        return dcc.Dropdown(
            id=control_id,
            options=choices(entry.categories, names),
            value=value,
            clearable=False,
        )
    if entry.integer and 0 < len(entry.levels) <= PICKED_LEVELS:
        options = [
            {"label": option_label(plain(v), names.get(plain(v))), "value": v}
            for v in entry.levels
        ]
        return dcc.Dropdown(
            id=control_id, options=options, value=value, clearable=False
        )
    return dbc.Input(
        id=control_id,
        type="number",
        value=value,
        # No min/max/step: the browser would send None for values outside them, and
        # out-of-range input must reach the server to be flagged, not refused.
        step="any",
        # Commit on Enter or leaving the field: one prediction (and one log row) per
        # value, not one per keystroke. (A number here would be milliseconds.)
        debounce=True,
        size="sm",
    )


def _field(entry: FeatureEntry, value, names: dict[str, str]) -> html.Div:
    unit = f" ({entry.unit})" if entry.unit else ""
    label = dbc.Label(
        entry.label + unit,
        html_for=_dom_id(entry.column),
        className="small fw-semibold mb-0",
    )
    hint = "" if entry.kind == "category" else _hint(entry)
    return html.Div(
        [
            label,
            _control(entry, value, names),
            html.Div(hint, className="form-text mt-0"),
        ],
        className="mb-2",
    )


def _dom_id(column: str) -> str:
    """The DOM id Dash gives a pattern-matching id (its JSON, keys sorted, no spaces)."""
    return json.dumps(ids.predict_input(column), sort_keys=True, separators=(",", ":"))


def _hint(entry: FeatureEntry) -> str:
    if entry.levels and len(entry.levels) <= 6:
        return "seen in training: " + ", ".join(plain(v) for v in entry.levels)
    return f"training range {span(entry.min, entry.max)}"


def predict_form(ctx: AppContext, raw: dict | None = None) -> dbc.Card:
    """The form, filled with `raw` inputs (a link's or a scenario's) or the defaults."""
    service = ctx.service
    raw = raw or form_defaults(service)
    fields = [
        _field(entry, form_value(raw.get(column), entry), _names(ctx, entry))
        for column, entry in service.schema.items()
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Inputs", className="card-title mb-0"),
                html.Div("Numbers update on Enter or Tab.", className="form-text mb-2"),
                *fields,
            ]
        ),
        className="shadow-sm",
    )


def _names(ctx: AppContext, entry: FeatureEntry) -> dict[str, str]:
    """Display names of a feature's values: a category's codes (those in the data), or a
    whole-number feature's values from the spec's [names] ('4' -> 'Friday')."""
    if entry.kind != "category":
        return dict(ctx.spec.names.get(entry.column, {}))
    try:
        return ctx.dataset.names(entry.column)
    except KeyError:
        return {}


def form_defaults(service) -> dict:
    """The typical inputs as a form shows them: whole numbers whole, others to 2 places."""
    shown = {}
    for column, value in service.defaults().items():
        entry = service.schema[column]
        if entry.kind == "category":
            shown[column] = value
        else:
            shown[column] = round(value) if entry.integer else round(value, 2)
    return shown


def _opened(ctx: AppContext, search: str | None, store: ScenarioStore):
    """The inputs a link opens with, the scenario it names (if any), and a note if that
    scenario is gone."""
    service = ctx.service
    wanted = scenario_id(search)
    if wanted is None:
        return (
            inputs_from_query(search, service.schema, form_defaults(service)),
            None,
            None,
        )
    scenario = store.get(wanted)
    if scenario is None:
        note = dbc.Alert(
            "This scenario's link is not valid (it may have been deleted): "
            "the form shows the usual inputs.",
            color="warning",
            dismissable=True,
        )
        return form_defaults(service), None, note
    return {**form_defaults(service), **scenario.inputs}, scenario, None


def predict_layout(
    ctx: AppContext, search: str | None = None, identity=None
) -> html.Div:
    header = page_header("What-if prediction", ctx.spec.question)
    store = ScenarioStore(ctx.database)
    raw, scenario, note = _opened(ctx, search, store)
    user = identity.name if identity is not None else None
    answer = [
        note,
        actions_bar(scenario.name if scenario else ""),
        html.Div(id=ids.PREDICT_MESSAGE),
        html.Div(id=ids.PREDICT_RESULT, className="mb-3"),
        _probabilities(ctx),
        dbc.Row(
            [
                dbc.Col(_effects_card(ctx), xl=6),
                dbc.Col(
                    dbc.Card(
                        dcc.Graph(id=ids.PREDICT_WHATIF, config=GRAPH_CONFIG),
                        body=True,
                        className="shadow-sm mb-3",
                    ),
                    xl=6,
                ),
            ],
            className="g-3",
        ),
    ]
    form = [predict_form(ctx, raw), scenarios_card(store.list(user) if user else [])]
    return html.Div(
        [
            header,
            dcc.Location(id=ids.PREDICT_URL, refresh=False),
            dcc.Store(id=ids.PREDICT_INVALID),
            dbc.Row(
                [
                    dbc.Col(form, lg=4, xl=3),
                    # On a phone the answer comes first, the form below it.
                    dbc.Col(answer, lg=8, xl=9, className="order-first order-lg-0"),
                ]
            ),
        ]
    )


def _probabilities(ctx: AppContext) -> dbc.Card | None:
    """Multi-class: every class's probability."""
    if not ctx.multiclass:
        return None
    return dbc.Card(
        dcc.Graph(id=ids.PREDICT_PROBABILITIES, config=GRAPH_CONFIG),
        body=True,
        className="shadow-sm mb-3",
    )


def _class_picker(ctx: AppContext) -> html.Div | None:
    """Multi-class: whose probability the 'why' chart explains (the most likely by default)."""
    if not ctx.multiclass:
        return None
    return html.Div(
        [
            dbc.Label("Effects on the probability of", className="small mb-0"),
            dcc.Dropdown(
                id=ids.PREDICT_CLASS,
                options=ctx.service.classes,
                placeholder="the most likely class",
                clearable=True,
                style={"maxWidth": "260px"},
            ),
            dcc.Store(id=ids.PREDICT_EFFECTS_STORE),
        ],
        className="mb-1",
    )


def _effects_card(ctx: AppContext) -> dbc.Card:
    """The 'why' chart, with the class picker for multi-class."""
    return dbc.Card(
        [_class_picker(ctx), dcc.Graph(id=ids.PREDICT_EFFECTS, config=GRAPH_CONFIG)],
        body=True,
        className="shadow-sm mb-3",
    )
