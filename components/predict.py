"""Predict page: a form built from the model's feature schema, and the answer beside it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from context import AppContext

GRAPH_CONFIG = {"displaylogo": False}


def _field(entry: dict, default) -> html.Div:
    unit = f" ({entry['unit']})" if entry.get("unit") else ""
    label = dbc.Label(entry["label"] + unit, className="small fw-semibold mb-0")
    if entry["kind"] == "category":
        control = dcc.Dropdown(
            id=ids.predict_input(entry["column"]),
            options=entry["categories"],
            value=default,
            clearable=False,
        )
    else:
        value = round(default) if entry.get("integer") else round(default, 2)
        control = dbc.Input(
            id=ids.predict_input(entry["column"]),
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
    hint = (
        ""
        if entry["kind"] == "category"
        else f"training range {entry['min']:.4g}–{entry['max']:.4g}"
    )
    return html.Div(
        [label, control, html.Div(hint, className="form-text mt-0")], className="mb-2"
    )


def predict_form(ctx: AppContext) -> dbc.Card:
    defaults = ctx.service.defaults()
    fields = [
        _field(entry, defaults[column]) for column, entry in ctx.service.schema.items()
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


def predict_layout(ctx: AppContext, search: str | None = None) -> html.Div:
    header = html.Div(
        [
            html.H4("What-if prediction", className="mb-0"),
            html.Div(ctx.spec.question, className="text-muted"),
        ],
        className="mb-3",
    )
    answer = [
        html.Div(id=ids.PREDICT_MESSAGE),
        html.Div(id=ids.PREDICT_RESULT, className="mb-3"),
        dbc.Row(
            [
                dbc.Col(
                    dbc.Card(
                        dcc.Graph(id=ids.PREDICT_EFFECTS, config=GRAPH_CONFIG),
                        body=True,
                        className="shadow-sm mb-3",
                    ),
                    xl=6,
                ),
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
    return html.Div(
        [
            header,
            dbc.Row(
                [dbc.Col(predict_form(ctx), lg=4, xl=3), dbc.Col(answer, lg=8, xl=9)]
            ),
        ]
    )


def _caption(text: str) -> html.Div:
    return html.Div(text, className="text-muted small text-uppercase")


def _version_column(version: str, request_id: str | None) -> dbc.Col:
    """The model that answered, and the request id to quote when asking about it."""
    request = (
        html.Div(
            f"request {request_id}",
            className="text-muted small text-truncate",
            title="Quote this id when asking about this prediction",
            **{"data-testid": "request-id"},
        )
        if request_id
        else None
    )
    return dbc.Col([_caption("Model version"), html.Code(version), request], md=4)


def result_card(
    value: float,
    band: str,
    version: str,
    classification: bool,
    outcome: str,
    request_id: str | None = None,
) -> dbc.Card:
    color = {"Low": "success", "Moderate": "warning", "High": "danger"}.get(
        band, "secondary"
    )
    shown = f"{value:.1%}" if classification else f"{value:,.4g}"
    caption = (
        "Chance of: " + outcome if classification else f"Predicted {outcome.lower()}"
    )
    value_column = dbc.Col(
        [
            _caption(caption),
            html.Div(
                shown,
                className="display-5 fw-semibold",
                **{"data-testid": "prediction-value"},
            ),
        ],
        md=5,
    )
    band_column = (
        dbc.Col(
            [_caption("Risk band"), dbc.Badge(band, color=color, className="fs-5")],
            md=3,
        )
        if classification
        else None
    )
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [value_column, band_column, _version_column(version, request_id)],
                className="align-items-center",
            )
        ),
        className="shadow-sm",
    )
