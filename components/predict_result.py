"""The answer's card on Predict: its value, its band (binary), the model version and the
request id to quote."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.theme import percent
from data.formats import plain

LIGHT_BADGES = ("warning", "info", "light")


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


def _value_column(answer, kind: str, outcome: str) -> dbc.Col:
    if kind == "multiclass":
        caption, shown = f"Most likely {outcome.lower()}", answer.label
        note = f"probability {percent(answer.value)}"
    elif kind == "binary":
        caption, shown, note = f"Chance of: {outcome}", percent(answer.value), None
    else:
        caption, shown, note = f"Predicted {outcome.lower()}", plain(answer.value), None
    return dbc.Col(
        [
            _caption(caption),
            html.Div(
                shown,
                className="display-5 fw-semibold text-break",
                **{"data-testid": "prediction-value"},
            ),
            html.Div(note, className="text-muted small") if note else None,
        ],
        md=5,
    )


def result_card(answer, kind: str, outcome: str) -> dbc.Card:
    """The answer: its value, its band (binary), the model version and the request id."""
    band_column = None
    if kind == "binary":
        band_column = dbc.Col(
            [
                _caption("Band"),
                html.Div(
                    dbc.Badge(
                        answer.label,
                        color=answer.color,
                        # Dark text where white would not stand out (yellow, light).
                        text_color="dark" if answer.color in LIGHT_BADGES else None,
                        className="fs-6 text-wrap",
                    ),
                    **{"data-testid": "prediction-band"},
                ),
            ],
            md=3,
        )
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    _value_column(answer, kind, outcome),
                    band_column,
                    _version_column(answer.version, answer.request_id),
                ],
                className="align-items-center",
            )
        ),
        className="shadow-sm",
    )
