"""The Overview's busiest routes: a plain table (no grid library on the first load), each
airport by its code with its name below, and the card that holds it with its CSV export."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from context import AppContext
from data.formats import percent


def route_columns(ctx: AppContext) -> list[tuple[str, str, str]]:
    """The routes table's columns: (field, header, how a value is shown)."""
    geo, spec = ctx.geo, ctx.spec
    columns = [
        (geo.origin, spec.label(geo.origin), "text"),
        (geo.dest, spec.label(geo.dest), "text"),
        ("rows", spec.row_label.capitalize(), "count"),
        ("target_mean", ctx.outcome, "share" if spec.is_classification else "mean"),
    ]
    if spec.measure:
        columns.append(("measure_mean", f"Mean {spec.measure_label.lower()}", "mean"))
    return columns


def _place(code, names: dict[str, str]) -> html.Td:
    """A code in bold with its name below it ('JFK' / 'John F Kennedy Intl').

    The name is the cell's data-name, written by the stylesheet (assets/flightdeck.css,
    hidden on a phone): two components fewer per cell, 200 in a table of 50 routes, which
    the server built and serialised on every refresh.
    """
    name = names.get(code)
    if not name:
        return html.Td(code, className="text-start")
    return html.Td(code, className="text-start route-place", **{"data-name": name})


def _cell(value, shown: str) -> str:
    if value is None:
        return ""
    if shown == "count":
        return f"{value:,}"
    if shown == "share":
        return percent(value)
    return f"{value:,.1f}" if shown == "mean" else str(value)


def routes_table(ctx: AppContext, rows: list[dict]) -> dbc.Table | html.P:
    """The busiest routes as a plain table (no grid library on the Overview's first load)."""
    if not rows:
        return html.P("No routes in this view.", className="text-muted small mb-0")
    columns = route_columns(ctx)
    sticky = {"position": "sticky", "top": 0, "zIndex": 1}
    names = {
        column: ctx.dataset.names(column) for column in (ctx.geo.origin, ctx.geo.dest)
    }

    def align(shown: str) -> str:
        return "text-start" if shown == "text" else "text-end"

    head = html.Thead(
        html.Tr(
            [
                html.Th(header, scope="col", className=align(shown), style=sticky)
                for _, header, shown in columns
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    _place(row.get(field), names[field])
                    if field in names
                    else html.Td(
                        _cell(row.get(field), shown),
                        # Numbers on one line; headings wrap, so a phone fits it all.
                        className=align(shown)
                        + ("" if shown == "text" else " text-nowrap"),
                    )
                    for field, _, shown in columns
                ]
            )
            for row in rows
        ]
    )
    return dbc.Table(
        [head, body],
        striped=True,
        hover=True,
        size="sm",
        className="mb-0 small",
    )


def routes_card(ctx: AppContext) -> dbc.Card:
    """The table in a card that is narrow-padded on a phone; wider than the screen, the
    table scrolls sideways inside it, never the page."""
    body = dbc.CardBody(
        [
            html.Div(
                [
                    html.H6("Top routes", className="mb-0"),
                    dbc.Button(
                        "Export CSV",
                        id=ids.ROUTES_EXPORT,
                        size="sm",
                        color="primary",
                        outline=True,
                    ),
                    dcc.Download(id=ids.ROUTES_DOWNLOAD),
                ],
                className="d-flex justify-content-between align-items-center mb-2",
            ),
            html.Div(
                id=ids.ROUTES_TABLE,
                className="table-responsive",
                style={"maxHeight": "360px", "overflowY": "auto"},
                tabIndex=0,  # scrollable: reachable by keyboard
                **{"aria-label": "Top routes"},
            ),
        ],
        className="p-2 p-sm-3",
    )
    return dbc.Card(body, className="shadow-sm mb-3")
