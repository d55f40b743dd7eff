"""Compare page: up to four saved scenarios side by side, from a link that names them:

/compare?s=Ab3dEf6hIj9k&s=Zy8xWv7uTs6r
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.page import page_header
from components.theme import GRAPH_CONFIG
from context import AppContext
from data.formats import plain
from data.scenarios import Scenario, ScenarioStore, is_scenario_id

MAX_COMPARED = 4
PICKED = "s"


def picked_ids(search: str | None) -> list[str]:
    """The scenario ids a link names, in order, once each, at most MAX_COMPARED."""
    values = parse_qs((search or "").lstrip("?")).get(PICKED, [])
    return list(dict.fromkeys(v for v in values if is_scenario_id(v)))[:MAX_COMPARED]


def compare_query(picked: list[str]) -> str:
    return "?" + urlencode([(PICKED, i) for i in picked]) if picked else ""


def offered(store: ScenarioStore, user: str | None, wanted: list[str]):
    """The user's scenarios, and those of others among `wanted` (a link shared them)."""
    own = store.list(user) if user is not None else []
    mine = {s.id for s in own}
    shared = [s for i in wanted if i not in mine and (s := store.get(i)) is not None]
    return own, shared


def pick_options(own: list[Scenario], shared: list[Scenario]) -> list[dict]:
    """The user's scenarios, then those a link shared with them (named with their owner)."""
    return [{"label": s.name, "value": s.id} for s in own] + [
        {"label": f"{s.name} (shared by {s.user})", "value": s.id} for s in shared
    ]


def _picker(options: list[dict], value: list[str]) -> dbc.Card:
    empty = html.Div(
        ["No saved scenarios yet. Save some on ", dcc.Link("Predict", href="/predict")],
        className="text-muted small",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Label(
                    f"Pick up to {MAX_COMPARED}",
                    html_for=ids.COMPARE_PICK,
                    className="h6 card-title d-block",
                ),
                dbc.Checklist(
                    id=ids.COMPARE_PICK,
                    options=options,
                    value=value,
                    label_class_name="text-break",
                ),
                empty if not options else None,
                dbc.Button(
                    "Delete the ticked ones of yours",
                    id=ids.COMPARE_DELETE,
                    color="link",
                    size="sm",
                    className="text-danger px-0 mt-2",
                ),
            ]
        ),
        className="shadow-sm mb-3",
    )


def _graph(graph_id: str) -> dbc.Card:
    return dbc.Card(
        dcc.Graph(id=graph_id, config=GRAPH_CONFIG),
        body=True,
        className="shadow-sm mb-3",
    )


def compare_layout(ctx: AppContext, search: str | None = None, identity=None):
    store = ScenarioStore(ctx.database)
    wanted = picked_ids(search)
    own, shared = offered(store, identity.name if identity else None, wanted)
    options = pick_options(own, shared)
    known = {o["value"] for o in options}
    answers = [
        html.Div(id=ids.COMPARE_MESSAGE),
        _graph(ids.COMPARE_VALUES),
        html.Div(id=ids.COMPARE_TABLE, className="mb-3"),
        dbc.Row(
            [
                dbc.Col(_graph(ids.COMPARE_EFFECTS), xl=6),
                dbc.Col(_graph(ids.COMPARE_WHATIF), xl=6),
            ],
            className="g-3",
        ),
    ]
    return html.Div(
        [
            page_header(
                "Compare scenarios",
                "Saved inputs side by side: answers, effects and what-if curves. "
                "The address bar links to this comparison.",
            ),
            dcc.Location(id=ids.COMPARE_URL, refresh=False),
            dbc.Row(
                [
                    dbc.Col(
                        _picker(options, [i for i in wanted if i in known]), lg=4, xl=3
                    ),
                    dbc.Col(answers, lg=8, xl=9),
                ]
            ),
        ]
    )


def inputs_table(names: list[str], scenarios: list[Scenario], schema) -> dbc.Table:
    """The inputs side by side; the rows where the scenarios differ are marked."""
    header = html.Thead(
        html.Tr(
            [html.Th("Input", scope="col")] + [html.Th(n, scope="col") for n in names]
        )
    )
    rows = []
    for column, entry in schema.items():
        values = [_shown(s.inputs.get(column)) for s in scenarios]
        differs = len(set(values)) > 1
        label = entry.label + (f" ({entry.unit})" if entry.unit else "")
        rows.append(
            html.Tr(
                [html.Th(label, scope="row", className="fw-normal")]
                + [html.Td(v) for v in values],
                className="table-warning fw-semibold" if differs else None,
            )
        )
    caption = html.Caption(
        "Rows in bold differ between the scenarios.", className="small"
    )
    return dbc.Table(
        [caption, header, html.Tbody(rows)],
        size="sm",
        responsive=True,
        className="bg-white shadow-sm mb-0",
    )


def _shown(value) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else plain(value)
