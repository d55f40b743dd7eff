"""The app shell: navbar (pages the user may open, who they are), page container, router table.

Who is asking arrives as an `identity` (name, role, signed_in, can(role)) from the server
tier; the layout only hides what a role cannot use. The door and the router are the checks.
"""

from __future__ import annotations

from typing import NamedTuple

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.account import account_layout
from components.batch import batch_layout
from components.libraries import page_scripts
from components.model_card import model_layout
from components.monitor import monitor_layout
from components.overview import overview_layout
from components.predict import predict_layout
from components.scenario_compare import compare_layout
from context import AppContext


class Page(NamedTuple):
    name: str
    builder: object
    role: str  # the least role that may open it
    nav: bool = True  # linked from the main nav (else from elsewhere: the user menu)
    libraries: tuple[
        str, ...
    ] = ()  # deferred component libraries it needs (libraries.py)
    charts: bool = (
        True  # has Plotly charts: the page preloads the bundle (libraries.py)
    )


PAGES = {
    "/": Page("Overview", overview_layout, "viewer"),
    "/predict": Page("Predict", predict_layout, "analyst"),
    "/compare": Page("Compare", compare_layout, "analyst", nav=False),
    "/model": Page("Model", model_layout, "viewer"),
    "/monitor": Page("Monitor", monitor_layout, "analyst", libraries=("dash_ag_grid",)),
    "/batch": Page("Batch", batch_layout, "analyst", charts=False),
    "/account": Page("Account", account_layout, "viewer", nav=False, charts=False),
}

OPEN_BANNERS = {
    "local": [
        html.Strong("Local development: no login. "),
        "Anyone who can reach this address can use every page. Add a user with ",
        html.Code(
            "python -m server.users add NAME --role admin", className="text-reset"
        ),
        " to turn login on.",
    ],
    "off": [
        html.Strong("Login is off (FLIGHTDECK_AUTH=off). "),
        "Every visitor can use every page; the proxy in front decides who gets in.",
    ],
}


def _user_menu(identity, csrf_token: str | None) -> list:
    if identity is None or not identity.signed_in:
        return []
    sign_out = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token or ""),
            html.Button(
                "Sign out",
                type="submit",
                id=ids.SIGN_OUT,
                className="btn btn-outline-light btn-sm text-nowrap",
            ),
        ],
        action="/logout",
        method="POST",
        className="d-flex ms-2 mb-0",
    )
    who = dcc.Link(
        [identity.name, dbc.Badge(identity.role, color="secondary", className="ms-1")],
        href="/account",
        id=ids.NAV_USER,
        title="Your account and API keys",
        className="text-light small ms-3 text-nowrap text-decoration-none",
    )
    return [who, sign_out]


def navbar(ctx: AppContext, identity=None, csrf_token: str | None = None) -> dbc.Navbar:
    """The top bar: from md up the links in a row (the rest wraps below them when
    narrow); on a phone, behind a menu button."""
    links = [
        dbc.NavItem(dbc.NavLink(page.name, href=path, active="exact"))
        for path, page in PAGES.items()
        if page.nav and identity is not None and identity.can(page.role)
    ]
    right = html.Div(
        [
            html.Span(
                ctx.spec.title, className="text-light small me-3 d-none d-xl-inline"
            ),
            dbc.Badge(
                f"model {ctx.service.version}",
                id=ids.NAV_VERSION,
                color="light",
                text_color="dark",
                className="text-truncate d-none d-md-inline-block",
                style={"maxWidth": "24rem"},
            ),
            *_user_menu(identity, csrf_token),
        ],
        className="d-flex flex-wrap align-items-center row-gap-2 ms-md-auto py-2 py-md-0",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [html.Span("✈ ", className="me-1"), "Flightdeck"],
                    href="/",
                    className="fw-bold",
                ),
                dbc.NavbarToggler(id=ids.NAV_TOGGLER, n_clicks=0),
                dbc.Collapse(
                    [dbc.Nav(links, navbar=True, className="me-auto"), right],
                    id=ids.NAV_COLLAPSE,
                    is_open=False,
                    navbar=True,
                    className="flex-wrap row-gap-2",
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="md",
        className="mb-3",
    )


def open_banner(mode: str) -> dbc.Alert | None:
    """A warning on every page while the app runs without login."""
    words = OPEN_BANNERS.get(mode)
    if not words:
        return None
    return dbc.Alert(
        words, id=ids.OPEN_BANNER, color="warning", className="py-2 mx-3 small"
    )


def fallback_banner(ctx: AppContext) -> dbc.Alert | None:
    """Which version is serving, and why, while it is not the champion."""
    serving = ctx.models.serving
    if not serving.degraded:
        return None
    return dbc.Alert(
        [
            html.Strong(f"Serving model {serving.service.version}, not the champion. "),
            serving.reason,
        ],
        color="danger",
        className="mb-0 rounded-0 small text-break",
    )


def shell(ctx: AppContext, identity=None, csrf_token: str | None = None) -> html.Div:
    return html.Div(
        [
            # The first Tab stop, shown only when focused: past the navbar to the page.
            html.A(
                "Skip to the page",
                href=f"#{ids.PAGE}",
                className="visually-hidden-focusable position-absolute m-1 p-2 "
                "bg-body rounded shadow",
                style={"zIndex": 1100},
            ),
            dcc.Location(id=ids.URL),
            dcc.Store(id=ids.PAGE_LIBRARIES, data=page_scripts(PAGES)),
            dcc.Store(id=ids.PAGE_PATH),
            navbar(ctx, identity, csrf_token),
            open_banner(ctx.settings.auth),
            fallback_banner(ctx),
            dbc.Container(id=ids.PAGE, fluid=True, className="pb-4"),
        ]
    )


def page_for(
    path: str | None, ctx: AppContext, search: str | None = None, identity=None
):
    """The layout for a URL path, if this identity may open it; else a friendly message."""
    page = PAGES.get(path or "/")
    if page is None:
        return dbc.Alert(
            [
                "No page at ",
                html.Code(str(path)[:80]),
                ". ",
                html.A("Back to the overview", href="/"),
            ],
            color="warning",
        )
    if identity is None or not identity.can(page.role):
        role = identity.role if identity is not None else "signed-out user"
        return dbc.Alert(
            [
                html.Strong(f"{page.name} needs the {page.role} role. "),
                f"You are signed in as a {role}; an admin can change that with ",
                html.Code(f"python -m server.users set-role NAME {page.role}"),
                ". ",
                html.A("Back to the overview", href="/"),
            ],
            color="warning",
            id=ids.FORBIDDEN,
        )
    return page.builder(ctx, search, identity)


class _Everyone:
    """An identity that may see everything, for the validation layout."""

    name, role, signed_in = "validation", "admin", True

    @staticmethod
    def can(_role: str) -> bool:
        return True


def validation_layout(ctx: AppContext) -> html.Div:
    """Every page and every part of the shell, so Dash can check callback ids against them."""
    return html.Div(
        [
            shell(ctx, _Everyone(), ""),
            open_banner("local"),
            page_for("/predict", ctx, identity=None),
            *(page.builder(ctx) for page in PAGES.values()),
        ]
    )
