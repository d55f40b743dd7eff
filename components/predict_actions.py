"""Predict's actions on the answer shown: its report as a file, and saving its inputs as a
named scenario; and the list of the user's scenarios to open or compare."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.report_links import report_buttons
from data.scenarios import NAME_LIMIT, Scenario

COMPARE_PATH = "/compare"
MAX_COMPARED = 4


def scenario_form(name: str = "") -> html.Div:
    """Save the inputs of the answer shown under a name."""
    return html.Div(
        [
            dbc.Label(
                "Scenario name",
                html_for=ids.SCENARIO_NAME,
                class_name="visually-hidden",
            ),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.SCENARIO_NAME,
                        placeholder="Name this scenario",
                        value=name,
                        maxLength=NAME_LIMIT,
                        debounce=False,
                    ),
                    dbc.Button("Save scenario", id=ids.SCENARIO_SAVE, color="primary"),
                ],
                size="sm",
            ),
            html.Div(id=ids.SCENARIO_MESSAGE, className="small mt-1", role="status"),
        ],
        style={"maxWidth": "420px"},
    )


def actions_bar(name: str = "") -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            html.Div(
                [
                    scenario_form(name),
                    report_buttons(ids.PREDICT_REPORT_HTML, ids.PREDICT_REPORT_PDF),
                ],
                className="d-flex flex-wrap gap-3 justify-content-between "
                "align-items-start",
            ),
            className="py-2",
        ),
        className="shadow-sm mb-3",
    )


def scenario_items(scenarios: list[Scenario]) -> list:
    """The user's scenarios, newest first, each a link that opens it."""
    if not scenarios:
        return [
            html.Div(
                "None yet: name the inputs of an answer and save them, to come back to "
                "them or compare them.",
                className="text-muted small",
            )
        ]
    return [
        html.Ul(
            [
                html.Li(
                    [
                        dcc.Link(s.name, href=f"/predict?scenario={s.id}"),
                        html.Span(
                            f" · {s.created_at:%d %b %Y}", className="text-muted small"
                        ),
                    ]
                )
                for s in scenarios[:10]
            ],
            className="mb-2 ps-3",
        ),
        dcc.Link(f"Compare up to {MAX_COMPARED} →", href=COMPARE_PATH),
    ]


def scenarios_card(scenarios: list[Scenario]) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Your scenarios", className="card-title"),
                html.Div(scenario_items(scenarios), id=ids.SCENARIO_LIST),
            ]
        ),
        className="shadow-sm mt-3",
    )
