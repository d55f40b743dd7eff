"""Account page (every signed-in user): who you are, and your API keys for the JSON API.

A new key is shown once, in a box with a copy button; the table lists keys by name and
prefix only. In open mode there is no user in the database, so there are no keys either.
"""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import has_request_context, request

from components import ids
from context import AppContext
from data.api_keys import ApiKey

SHOWN_KEYS = 50  # revoked keys pile up; the newest are enough to read
API_DOCS = "/api/v1/docs"
PREDICT_PATH = "/api/v1/predict"
NO_USER_WORDS = [
    "API keys belong to a signed-in user, and this app runs without login. "
    "Add a user with ",
    html.Code("python -m server.users add NAME --role analyst", className="text-reset"),
    ", sign in as them, and make keys here (or with ",
    html.Code("python -m server.users key create NAME", className="text-reset"),
    ").",
]
# With no identity (Dash's validation layout) one example row lays out every id.
_EXAMPLE = ApiKey(
    0, "example", "example", "fdk_example", dt.datetime(2013, 1, 1), None, None
)


def _when(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "never"


def _status(key: ApiKey):
    if key.active:
        return dbc.Badge("active", color="success")
    return dbc.Badge(f"revoked {_when(key.revoked_at)}", color="secondary")


def _revoke_button(key: ApiKey):
    if not key.active:
        return None
    return dbc.Button(
        "Revoke",
        id=ids.account_revoke(key.id),
        color="outline-danger",
        size="sm",
        title=f"Stop the key '{key.name}' now; programs using it are refused at once",
    )


WIDE = "d-none d-md-table-cell"  # hidden on a phone: name, status and Revoke stay


def _key_row(key: ApiKey) -> html.Tr:
    """One key: its name, prefix, dates, status and (while active) a Revoke button."""
    return html.Tr(
        [
            html.Td(key.name, style={"minWidth": "7rem"}),
            html.Td(html.Code(f"{key.prefix}…"), className=f"text-nowrap {WIDE}"),
            html.Td(_when(key.created_at), className=f"text-nowrap {WIDE}"),
            html.Td(_when(key.last_used_at), className=f"text-nowrap {WIDE}"),
            html.Td(_status(key)),
            html.Td(_revoke_button(key), className="text-end"),
        ]
    )


def keys_table(keys: list[ApiKey]):
    """Your keys, newest first: name, prefix, dates, status and a Revoke button."""
    if not keys:
        return html.P("You have no API keys yet.", className="text-muted mb-0")
    head = html.Thead(
        html.Tr(
            [
                html.Th("Name"),
                html.Th("Key", className=WIDE),
                html.Th("Created (UTC)", className=WIDE),
                html.Th("Last used", className=WIDE),
                html.Th("Status"),
                html.Th(""),
            ]
        )
    )
    rows = [_key_row(key) for key in keys[:SHOWN_KEYS]]
    older = len(keys) - SHOWN_KEYS
    note = (
        html.P(f"and {older} older keys", className="small text-muted")
        if older > 0
        else None
    )
    table = dbc.Table(
        [head, html.Tbody(rows)],
        size="sm",
        hover=True,
        responsive=True,
        className="align-middle mb-0 small",
    )
    return html.Div([table, note])


def _copy_button(words: str) -> html.Button:
    return html.Button(words, type="button", className="btn btn-sm btn-success")


def new_key_box() -> dbc.Alert:
    """Where a new key appears, once: the key, a copy button, and a warning."""
    return dbc.Alert(
        [
            html.Strong("Your new key: store it now; it is not shown again."),
            html.Div(
                [
                    html.Code(
                        id=ids.ACCOUNT_NEW_KEY_TEXT,
                        className="user-select-all text-break text-reset me-2",
                    ),
                    # A real button inside the Clipboard (a div only a mouse can
                    # click): Tab reaches it, Enter or Space copies.
                    dcc.Clipboard(
                        id=ids.ACCOUNT_NEW_KEY_COPY,
                        target_id=ids.ACCOUNT_NEW_KEY_TEXT,
                        title="Copy the key",
                        children=_copy_button("Copy key"),
                        copied_children=_copy_button("Copied"),
                    ),
                ],
                className="d-flex align-items-center mt-2",
            ),
        ],
        id=ids.ACCOUNT_NEW_KEY,
        is_open=False,
        color="success",
        className="mt-3 mb-0",
    )


def create_form(signed_in: bool) -> html.Div:
    """A name for the new key and the button; disabled without a user to own it."""
    return html.Div(
        [
            dbc.Label(
                "Name of a new key", html_for=ids.ACCOUNT_KEY_NAME, className="small"
            ),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.ACCOUNT_KEY_NAME,
                        placeholder="What is it for? e.g. nightly job",
                        maxLength=64,
                        disabled=not signed_in,
                    ),
                    dbc.Button(
                        "Create key",
                        id=ids.ACCOUNT_KEY_CREATE,
                        color="primary",
                        disabled=not signed_in,
                    ),
                ],
                style={"maxWidth": "32rem"},
            ),
            html.Div(id=ids.ACCOUNT_KEY_MESSAGE, className="mt-2"),
            new_key_box(),
        ],
        className="mb-3",
    )


def api_usage(base_url: str, role: str) -> html.Div:
    """How to call the API with a key: the header, a curl line, and the docs."""
    curl = (
        f"curl -X POST {base_url.rstrip('/')}{PREDICT_PATH} \\\n"
        '  -H "Authorization: Bearer $FLIGHTDECK_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  -d @flight.json"
    )
    return html.Div(
        [
            html.H6("Calling the API", className="mt-2"),
            html.P(
                [
                    "Send the key in the header ",
                    html.Code("Authorization: Bearer <key>"),
                    f". A key acts as you, with your role ({role}). The fields a "
                    "request takes are in the ",
                    html.A("API docs", href=API_DOCS, target="_blank"),
                    ".",
                ],
                className="small mb-2",
            ),
            html.Pre(curl, className="bg-light border rounded p-2 small mb-0"),
        ]
    )


def _who(identity) -> dbc.Card:
    if identity is None:
        words = [html.Strong("example")]
    else:
        words = [
            html.Strong(identity.name),
            dbc.Badge(identity.role, color="secondary", className="ms-2"),
        ]
        if not identity.signed_in:
            words.append(html.Span(" (no login: open mode)", className="text-muted"))
    label = (
        "Using the app as" if identity and not identity.signed_in else "Signed in as"
    )
    return dbc.Card(
        dbc.CardBody(
            [html.Div(label, className="small text-muted"), html.Div(words)],
            id=ids.ACCOUNT_WHO,
        ),
        className="mb-3",
    )


def _base_url() -> str:
    """This app's address as the browser used it, for the curl example."""
    return request.host_url if has_request_context() else "http://localhost:8050/"


def account_layout(
    ctx: AppContext, search: str | None = None, identity=None
) -> html.Div:
    """The page: who you are, your keys, a form for a new one, and how to call the API."""
    signed_in = identity is not None and identity.signed_in
    if identity is None:
        keys = [_EXAMPLE]
    else:
        keys = ctx.api_keys.list(identity.name) if signed_in else []
    body = [
        html.P(
            "Keys let a program call the JSON API as you. Make one per program, so "
            "each can be revoked on its own.",
            className="small text-muted",
        ),
        None
        if signed_in or identity is None
        else dbc.Alert(NO_USER_WORDS, color="info"),
        create_form(signed_in),
        html.Div(keys_table(keys), id=ids.ACCOUNT_KEYS, className="mb-3"),
        api_usage(_base_url(), getattr(identity, "role", "viewer")),
    ]
    return html.Div(
        [
            html.H4("Account", className="mb-3"),
            _who(identity),
            dbc.Card(
                [dbc.CardHeader("API keys"), dbc.CardBody(body)], className="mb-3"
            ),
        ],
        style={"maxWidth": "60rem"},
    )
