"""Account page: create and revoke your own API keys (every signed-in role).

Every callback asks `require("viewer")` who is asking and acts for that identity only: a
user name never comes from the client, and a revoke names its owner, so a forged key id
of someone else's key is refused by the store as well as here.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.account import NO_USER_WORDS, keys_table
from data.api_keys import ApiKeyStore
from data.inputs import BadInput, pattern_column
from data.users import UserError
from server.auth import Identity, require

NAME_WORDS = "Name the key after what will use it, e.g. nightly job."
NOT_YOURS = "That is not one of your active keys; the list below is up to date."


@dataclass(frozen=True)
class KeyChange:
    """What a create or a revoke did, in words, and the new key when one was made."""

    words: object
    color: str
    new_key: str | None = None


def create_key(keys: ApiKeyStore, identity: Identity, name) -> KeyChange:
    """A new key for the identity asking, or why not (open mode, a bad name, too many)."""
    if not identity.signed_in:
        return KeyChange(NO_USER_WORDS, "warning")
    if not isinstance(name, str) or not name.strip():
        return KeyChange(NAME_WORDS, "warning")
    try:
        listed, key = keys.create(identity.name, name)
    except UserError as exc:
        return KeyChange(str(exc), "warning")
    return KeyChange(f"Created the key '{listed.name}'.", "success", key)


def revoke_key(keys: ApiKeyStore, identity: Identity, component_id) -> KeyChange:
    """Revoke one of the identity's own active keys, named by its button's id."""
    if not identity.signed_in:
        return KeyChange(NO_USER_WORDS, "warning")
    own = {str(key.id) for key in keys.list(identity.name) if key.active}
    try:
        key_id = int(pattern_column(component_id, ids.ACCOUNT_REVOKE, own))
        revoked = keys.revoke(key_id, user=identity.name)
    except (BadInput, UserError):
        return KeyChange(NOT_YOURS, "warning")
    return KeyChange(
        f"Revoked the key '{revoked.name}'; programs using it are refused now.",
        "success",
    )


def _outputs(keys: ApiKeyStore, identity: Identity, change: KeyChange) -> dict:
    own = keys.list(identity.name) if identity.signed_in else []
    return {
        "table": keys_table(own),
        "shown": change.new_key is not None,
        "key": change.new_key or "",
        "message": None
        if change.new_key  # the new key's own box says it all
        else dbc.Alert(change.words, color=change.color, className="py-2 mb-0"),
    }


def _outputs_of(allow_duplicate: bool = False) -> dict:
    duplicate = {"allow_duplicate": True} if allow_duplicate else {}
    return {
        "table": Output(ids.ACCOUNT_KEYS, "children", **duplicate),
        "shown": Output(ids.ACCOUNT_NEW_KEY, "is_open", **duplicate),
        "key": Output(ids.ACCOUNT_NEW_KEY_TEXT, "children", **duplicate),
        "message": Output(ids.ACCOUNT_KEY_MESSAGE, "children", **duplicate),
    }


def register(app, ctx) -> None:
    """The create and revoke callbacks, acting through the door's own key store
    (ctx.api_keys: a revoke through another store would leave the key in its cache)."""
    store = ctx.api_keys

    @app.callback(
        output=_outputs_of(),
        inputs={
            "clicks": Input(ids.ACCOUNT_KEY_CREATE, "n_clicks"),
            "submits": Input(ids.ACCOUNT_KEY_NAME, "n_submit"),
            "name": State(ids.ACCOUNT_KEY_NAME, "value"),
        },
        prevent_initial_call=True,
    )
    def create(clicks, submits, name):
        """Make a key for whoever is signed in and show it this once."""
        identity = require("viewer")
        if not clicks and not submits:
            raise PreventUpdate
        return _outputs(store, identity, create_key(store, identity, name))

    @app.callback(
        output=_outputs_of(allow_duplicate=True),
        inputs={
            "clicks": Input({"type": ids.ACCOUNT_REVOKE, "column": ALL}, "n_clicks")
        },
        prevent_initial_call=True,
    )
    def revoke(clicks):
        """Revoke the clicked key, if it is the signed-in user's own."""
        identity = require("viewer")
        triggered = dash_ctx.triggered[0] if dash_ctx.triggered else {}
        if not triggered.get("value"):  # a table redrawn, not a click
            raise PreventUpdate
        return _outputs(
            store, identity, revoke_key(store, identity, dash_ctx.triggered_id)
        )
