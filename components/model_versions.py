"""Model page: every version with its holdout headline and aliases, the alias history, and
(for admins) promote, challenger and roll back with a confirmation."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from context import AppContext
from model.registry_cli import version_rows

ALIAS_COLORS = {"champion": "primary", "challenger": "info"}
# Dark text on the light badges: white on Bootstrap's info or warning fails contrast.
DARK_TEXT = {"info", "warning", "light"}


def _alias_badge(held: str) -> dbc.Badge:
    """'champion (set by ada, 2026-11-23 12:04)': the alias, who and when on hover."""
    alias = held.split(" ")[0]
    color = ALIAS_COLORS.get(alias, "secondary")
    return dbc.Badge(
        alias,
        color=color,
        text_color="dark" if color in DARK_TEXT else None,
        className="me-1",
        title=held,
    )


def versions_table(ctx: AppContext) -> dbc.Table:
    """One row per version, newest first; the serving one is marked."""
    serving = ctx.models.serving.service.version
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in ("Version", "Trained", "Estimator", "Data", "Holdout", "")
            ]
        )
    )
    body = []
    for row in version_rows(ctx.models.registry):
        if "problem" in row:
            body.append(
                html.Tr(
                    [
                        html.Td(html.Code(row["version"])),
                        html.Td(
                            row["problem"], colSpan=5, className="text-danger small"
                        ),
                    ]
                )
            )
            continue
        badges = [_alias_badge(held) for held in row["aliases"]]
        if row["version"] == serving:
            badges.append(dbc.Badge("serving", color="success", className="me-1"))
        value = "—" if row["value"] is None else f"{row['metric']} {row['value']:.4f}"
        body.append(
            html.Tr(
                [
                    html.Td(html.Code(row["version"]), className="text-break"),
                    html.Td(row["created"].replace("T", " ")[:16]),
                    html.Td(row["estimator"]),
                    html.Td(html.Code(row["data"]), title="data fingerprint"),
                    html.Td(value),
                    html.Td(badges),
                ]
            )
        )
    return dbc.Table(
        [head, html.Tbody(body)], size="sm", responsive=True, className="mb-0"
    )


def alias_history(ctx: AppContext) -> html.Ul:
    """The latest alias moves: who, when, from, to, why."""
    moves = ctx.models.registry.alias_store.history(8)
    if not moves:
        return html.Ul(html.Li("No alias has moved yet."), className="small mb-0")
    return html.Ul(
        [
            html.Li(
                f"{m.at:%Y-%m-%d %H:%M} · {m.alias}: {m.from_version or '–'} → "
                f"{m.to_version or '–'} by {m.user} ({m.action})"
                + (f": {m.note}" if m.note else "")
            )
            for m in moves
        ],
        className="small mb-0 text-break",
    )


def _label(words: str, control_id: str) -> dbc.Label:
    return dbc.Label(words, html_for=control_id, className="small mb-0")


def _controls(ctx: AppContext, admin: bool) -> html.Div:
    """Promote / challenger / roll back, enabled for admins (the server checks again)."""
    button = {"size": "sm", "disabled": not admin, "className": "me-2 mb-1"}
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _label("Version to move", ids.VERSION_PICK),
                            dcc.Dropdown(
                                id=ids.VERSION_PICK,
                                options=ctx.models.registry.versions()[::-1],
                                placeholder="Pick a version",
                                disabled=not admin,
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            _label("Why (recorded with the move)", ids.ALIAS_NOTE),
                            dbc.Input(
                                id=ids.ALIAS_NOTE,
                                placeholder="e.g. better AUC on the new months",
                                size="sm",
                                maxLength=300,
                                disabled=not admin,
                            ),
                        ],
                        md=7,
                    ),
                ],
                className="g-2 mb-2",
            ),
            dbc.Button(
                "Make champion", id=ids.MAKE_CHAMPION, color="primary", **button
            ),
            dbc.Button(
                "Make challenger",
                id=ids.MAKE_CHALLENGER,
                color="primary",
                outline=True,
                **button,
            ),
            dbc.Button(
                "Roll back", id=ids.ROLLBACK, color="secondary", outline=True, **button
            ),
            None
            if admin
            else html.Div("Only admins can move aliases.", className="form-text"),
            html.Div(id=ids.ALIAS_MESSAGE, className="mt-2"),
            dcc.Store(id=ids.ALIAS_PENDING),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle("Move an alias")),
                    dbc.ModalBody(id=ids.ALIAS_CONFIRM_TEXT),
                    dbc.ModalFooter(
                        [
                            dbc.Button(
                                "Cancel",
                                id=ids.ALIAS_CONFIRM_CANCEL,
                                color="secondary",
                                outline=True,
                            ),
                            dbc.Button(
                                "Confirm", id=ids.ALIAS_CONFIRM_OK, color="danger"
                            ),
                        ]
                    ),
                ],
                id=ids.ALIAS_CONFIRM,
                labelledby=ids.ALIAS_CONFIRM_TEXT,  # named by its question
                is_open=False,
            ),
        ]
    )


def versions_card(ctx: AppContext, admin: bool) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Versions"),
            dbc.CardBody(
                [
                    html.Div(
                        versions_table(ctx), id=ids.VERSIONS_TABLE, className="mb-2"
                    ),
                    _controls(ctx, admin),
                    html.H6("Alias history", className="mt-3 mb-1"),
                    html.Div(alias_history(ctx), id=ids.ALIAS_HISTORY),
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )
