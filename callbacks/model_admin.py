"""Model page, admins only: confirm, then move an alias; the door and the callback check it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.model_versions import alias_history, versions_table
from data.aliases import AliasError
from data.inputs import shorten
from model.alias_moves import AliasRequest
from server.auth import require

BUTTONS = {
    ids.MAKE_CHAMPION: "champion",
    ids.MAKE_CHALLENGER: "challenger",
    ids.ROLLBACK: "rollback",
}


def register(app, app_ctx) -> None:
    registry = app_ctx.models.registry

    @app.callback(
        Output(ids.ALIAS_CONFIRM, "is_open"),
        Output(ids.ALIAS_CONFIRM_TEXT, "children"),
        Output(ids.ALIAS_PENDING, "data"),
        Output(ids.ALIAS_MESSAGE, "children"),
        *(Input(button, "n_clicks") for button in BUTTONS),
        Input(ids.ALIAS_CONFIRM_CANCEL, "n_clicks"),
        State(ids.VERSION_PICK, "value"),
        prevent_initial_call=True,
    )
    def ask(*args):
        """Open the confirmation for a move that can be made, or say why it cannot."""
        require("admin")
        action = BUTTONS.get(dash_ctx.triggered_id)
        if action is None:  # cancel
            return False, no_update, None, None
        try:
            move = AliasRequest.checked(action, args[-1], registry)
        except AliasError as exc:
            return False, no_update, None, dbc.Alert(str(exc), color="warning")
        return (
            True,
            move.question(),
            {"action": move.action, "version": move.version},
            None,
        )

    @app.callback(
        Output(ids.ALIAS_CONFIRM, "is_open", allow_duplicate=True),
        Output(ids.ALIAS_MESSAGE, "children", allow_duplicate=True),
        Output(ids.VERSIONS_TABLE, "children"),
        Output(ids.ALIAS_HISTORY, "children"),
        Input(ids.ALIAS_CONFIRM_OK, "n_clicks"),
        State(ids.ALIAS_PENDING, "data"),
        State(ids.ALIAS_NOTE, "value"),
        prevent_initial_call=True,
    )
    def confirm(n_clicks, pending, note):
        """Re-check the pending move against the registry now, then make it."""
        identity = require("admin")
        if not n_clicks or not isinstance(pending, dict):
            raise PreventUpdate
        note = shorten(note, 300) if isinstance(note, str) else ""
        try:
            move = AliasRequest.checked(
                pending.get("action"), pending.get("version"), registry
            )
            if move.version != pending.get("version"):
                raise AliasError("the aliases moved meanwhile; look again and retry")
            done = move.carry_out(registry, identity.name, note)
        except AliasError as exc:
            return False, dbc.Alert(str(exc), color="danger"), no_update, no_update
        return (
            False,
            dbc.Alert(done, color="success"),
            versions_table(app_ctx),
            alias_history(app_ctx),
        )
