"""The app shell: navbar, page container, and the router's page table."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.model_card import model_layout
from components.overview import overview_layout
from components.predict import predict_layout
from context import AppContext

PAGES = {
    "/": ("Overview", overview_layout),
    "/predict": ("Predict", predict_layout),
    "/model": ("Model", model_layout),
}


def navbar(ctx: AppContext) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(name, href=path, active="exact"))
        for path, (name, _) in PAGES.items()
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [html.Span("✈ ", className="me-1"), "Flightdeck"],
                    href="/",
                    className="fw-bold",
                ),
                dbc.Nav(links, navbar=True, className="me-auto"),
                html.Span(
                    ctx.spec.title, className="text-light small me-3 d-none d-md-inline"
                ),
                dbc.Badge(
                    f"model {ctx.service.version}",
                    id=ids.NAV_VERSION,
                    color="light",
                    text_color="dark",
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )


def shell(ctx: AppContext) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL),
            navbar(ctx),
            dbc.Container(id=ids.PAGE, fluid=True, className="pb-4"),
        ]
    )


def page_for(path: str | None, ctx: AppContext, search: str | None = None):
    """The layout for a URL path (given its query), or a friendly not-found message."""
    entry = PAGES.get(path or "/")
    if entry is None:
        return dbc.Alert(
            [
                "No page at ",
                html.Code(str(path)[:80]),
                ". ",
                html.A("Back to the overview", href="/"),
            ],
            color="warning",
        )
    return entry[1](ctx, search)


def validation_layout(ctx: AppContext) -> html.Div:
    """Every page at once, so Dash can check callback ids against the full app."""
    return html.Div([shell(ctx), *(builder(ctx) for _, builder in PAGES.values())])
