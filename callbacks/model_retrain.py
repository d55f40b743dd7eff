"""Model page, admins only: a retrain as a Dash background job, with progress, cancel and
the gate's verdict.

The start button (a normal callback, `require("admin")`) hands the browser a ticket signed
with the app's secret naming the admin; the job, which runs in its own process without the
request, accepts only a fresh ticket it can verify, and records that admin. One retrain
runs at a time (a file lock, across workers); a cancelled job saves nothing half-written.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from components import ids
from components.model_retrain import stage_of, verdict_view
from components.model_versions import alias_history, versions_table
from data.db import first_line
from data.spec_errors import SpecError
from model.pipeline import ParamError
from model.retrain import RetrainBusy, retrain, retrain_busy
from server import tickets
from server.auth import require

TICKET_MAX_AGE_S = 120
SHOWN = {"display": "block"}
HIDDEN = {"display": "none"}


def _signer(app):
    return tickets.signer(app.server.secret_key, "retrain")


def read_ticket(app, ticket) -> dict | None:
    """The ticket's claims (who, force) if it is ours and fresh, else None."""
    found = tickets.claims(_signer(app), ticket, TICKET_MAX_AGE_S)
    if found is None:
        return None
    return {"by": found["by"], "force": found.get("force") is True}


def _alert(words: str, color: str) -> dbc.Alert:
    return dbc.Alert(words, color=color, className="small mb-0")


def retrain_outcome(app, app_ctx, ticket, set_progress) -> tuple:
    """What the job shows (the verdict, or why there is none), and whether aliases moved."""
    claims = read_ticket(app, ticket)
    if claims is None:
        refused = "This retrain request is not valid or has expired; start again."
        return _alert(refused, "danger"), False

    def report(message: str) -> None:
        stage = stage_of(message)
        if stage is not None:
            set_progress(stage)

    try:
        result = retrain(
            app_ctx.settings,
            app_ctx.spec,
            force=claims["force"],
            by=claims["by"],
            note="retrained from the Model page",
            progress=report,
        )
    except RetrainBusy as exc:
        return _alert(str(exc), "warning"), False
    except (SpecError, ParamError, OSError, ValueError) as exc:
        return _alert(f"The retrain failed: {first_line(exc)}", "danger"), False
    return verdict_view(result), True


def register(app, app_ctx) -> None:
    settings, spec = app_ctx.settings, app_ctx.spec

    @app.callback(
        Output(ids.RETRAIN_TICKET, "data"),
        Output(ids.RETRAIN_STATUS, "children"),
        Input(ids.RETRAIN_START, "n_clicks"),
        State(ids.RETRAIN_FORCE, "value"),
        prevent_initial_call=True,
    )
    def start(n_clicks, force):
        """Check the role and that no retrain runs, then sign a ticket for the job."""
        identity = require("admin")
        if not n_clicks:
            raise PreventUpdate
        busy = retrain_busy(settings, spec)
        if busy:
            return no_update, _alert(busy, "warning")
        claims = {"by": identity.name, "force": force is True}
        return _signer(app).dumps(claims), None

    @app.callback(
        output={
            "result": Output(ids.RETRAIN_RESULT, "children"),
            "table": Output(ids.VERSIONS_TABLE, "children", allow_duplicate=True),
            "history": Output(ids.ALIAS_HISTORY, "children", allow_duplicate=True),
        },
        inputs={"ticket": Input(ids.RETRAIN_TICKET, "data")},
        background=True,
        running=[
            (Output(ids.RETRAIN_START, "disabled"), True, False),
            (Output(ids.RETRAIN_CANCEL, "disabled"), False, True),
            (Output(ids.RETRAIN_RUNNING, "style"), SHOWN, HIDDEN),
        ],
        cancel=[Input(ids.RETRAIN_CANCEL, "n_clicks")],
        progress=[
            Output(ids.RETRAIN_PROGRESS, "value"),
            Output(ids.RETRAIN_STAGE, "children"),
        ],
        progress_default=[0, "Starting …"],
        prevent_initial_call=True,
    )
    def run(set_progress, ticket):
        """Retrain behind the gate in the job's own process, reporting each stage."""
        shown, moved = retrain_outcome(app, app_ctx, ticket, set_progress)
        return {
            "result": shown,
            "table": versions_table(app_ctx) if moved else no_update,
            "history": alias_history(app_ctx) if moved else no_update,
        }

    @app.callback(
        Output(ids.RETRAIN_RESULT, "children", allow_duplicate=True),
        Input(ids.RETRAIN_CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )
    def cancelled(n_clicks):
        """Say what a cancel leaves: no alias moved, nothing half-written."""
        require("admin")
        if not n_clicks:
            raise PreventUpdate
        return _alert(
            "Retrain cancelled: no alias moved. A version saved before the cancel "
            "stays in the list, unpromoted.",
            "secondary",
        )
