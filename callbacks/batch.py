"""Batch page, analysts and admins: upload → validation report → background scoring job →
download, and the user's past batches.

The upload callback (a normal request, `require("analyst")`) reads and checks the file,
stages the parsed frame under the home and hands the browser a ticket signed with the
app's secret naming the staged file, the user and the file name. The job, which runs in
its own process without the request, accepts only a ticket it can verify, claims the
staged file (so it is scored once), checks it again and scores it. Cancel is a request
to stop after the current chunk: the rows logged so far stay under the batch's id and
no file is offered for download.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from components import ids
from components.batch import (
    FORMATS,
    HIDDEN,
    SHOWN,
    history_view,
    past_batches,
    progress_percent,
    progress_words,
)
from components.batch_report import report_view, result_view
from data.batches import BatchStore, is_batch_id
from data.db import first_line
from data.inputs import shorten
from data.uploads import UploadError, read_upload
from model.batch_check import check_frame
from model.batch_run import run_batch
from server import tickets
from server.auth import require
from server.batch_files import (
    cancel_requested,
    claim_staged,
    discard_staged,
    request_cancel,
    stage_frame,
)

TICKET_MAX_AGE_S = 3600  # time to read the report before pressing Score
MAX_FILE_NAME = 255
CHUNK = 5000  # rows scored and logged per step: progress and cancel come between steps


def _signer(app):
    return tickets.signer(app.server.secret_key, "batch")


def read_ticket(app, ticket) -> dict | None:
    """The ticket's claims (by, staged, file) if it is ours and fresh, else None."""
    found = tickets.claims(_signer(app), ticket, TICKET_MAX_AGE_S)
    if found is None:
        return None
    staged, file_name = found.get("staged"), found.get("file")
    if not (is_batch_id(staged) and isinstance(file_name, str)):
        return None
    return {"by": found["by"], "staged": staged, "file": file_name}


def _alert(words, color: str) -> dbc.Alert:
    return dbc.Alert(words, color=color, className="small mb-0")


def upload_outcome(app, ctx, user: str, contents, file_name) -> dict:
    """The report for an uploaded file and, when rows can be scored, a ticket for them."""
    refused = {"ticket": None, "ready": False}
    if not isinstance(file_name, str) or not 0 < len(file_name) <= MAX_FILE_NAME:
        return refused | {
            "report": _alert("The upload has no usable file name.", "danger")
        }
    try:
        frame = read_upload(contents, file_name)
    except UploadError as exc:
        words = f"{shorten(file_name)} cannot be read: {exc}."
        return refused | {"report": _alert(words, "danger")}
    report = check_frame(ctx.service, frame)
    shown = report_view(report, file_name)
    if not report.usable:
        return refused | {"report": shown}
    staged = stage_frame(ctx.settings.home, frame)
    ticket = _signer(app).dumps({"by": user, "staged": staged, "file": file_name})
    return {"report": shown, "ticket": ticket, "ready": True}


def score_outcome(app, ctx, ticket, fmt, set_progress=None):
    """Score a staged upload (the job's work, callable without Dash); what to show."""
    claims = read_ticket(app, ticket)
    if claims is None:
        return _alert(
            "This upload is not valid or has expired; upload it again.", "danger"
        )
    home, staged = ctx.settings.home, claims["staged"]
    path = claim_staged(home, staged)
    if path is None:
        return _alert(
            "This upload was already scored or has expired; upload it again.", "warning"
        )
    try:
        frame = pd.read_parquet(path)
        report = check_frame(ctx.service, frame)
        if not report.usable:
            return report_view(report, claims["file"])
        record = run_batch(
            ctx.models,
            frame,
            report,
            store=BatchStore(ctx.database),
            home=home,
            user=claims["by"],
            file_name=claims["file"],
            fmt=fmt if fmt in FORMATS else "csv",
            chunk=CHUNK,
            progress=_reporter(set_progress),
            cancelled=lambda: cancel_requested(home, staged),
        )
    except (OSError, ValueError) as exc:
        return _alert(f"The batch failed: {first_line(exc)}", "danger")
    finally:
        discard_staged(home, staged)
    return result_view(record)


def _reporter(set_progress):
    if set_progress is None:
        return None

    def progress(done: int, total: int) -> None:
        set_progress((progress_percent(done, total), progress_words(done, total)))

    return progress


def register(app, ctx) -> None:
    """The Batch page's callbacks: upload and check, score as a job, cancel."""
    _register_upload(app, ctx)
    _register_score(app, ctx)
    _register_cancel(app, ctx)


def _register_upload(app, ctx) -> None:
    @app.callback(
        output={
            "report": Output(ids.BATCH_REPORT, "children"),
            "ticket": Output(ids.BATCH_TICKET, "data"),
            "ready": Output(ids.BATCH_SCORE, "disabled"),
            "result": Output(ids.BATCH_RESULT, "children", allow_duplicate=True),
        },
        inputs={"contents": Input(ids.BATCH_UPLOAD, "contents")},
        state={"file_name": State(ids.BATCH_UPLOAD, "filename")},
        prevent_initial_call=True,
    )
    def upload(contents, file_name):
        """Read and check the file; stage it and sign a ticket if rows can be scored."""
        identity = require("analyst")
        if contents is None:
            raise PreventUpdate
        shown = upload_outcome(app, ctx, identity.name, contents, file_name)
        return shown | {"ready": not shown["ready"], "result": None}


# (output, while the job runs, after it): Score stays off until the next upload.
WHILE_SCORING = [
    (Output(ids.BATCH_SCORE, "disabled"), True, True),
    (Output(ids.BATCH_CANCEL, "disabled"), False, True),
    (Output(ids.BATCH_UPLOAD, "disabled"), True, False),
    (Output(ids.BATCH_RUNNING, "style"), SHOWN, HIDDEN),
]


def _register_score(app, ctx) -> None:
    @app.callback(
        output={
            "result": Output(ids.BATCH_RESULT, "children"),
            "history": Output(ids.BATCH_HISTORY, "children"),
        },
        inputs={"n_clicks": Input(ids.BATCH_SCORE, "n_clicks")},
        state={
            "ticket": State(ids.BATCH_TICKET, "data"),
            "fmt": State(ids.BATCH_FORMAT, "value"),
        },
        background=True,
        running=WHILE_SCORING,
        progress=[
            Output(ids.BATCH_PROGRESS, "value"),
            Output(ids.BATCH_PROGRESS_TEXT, "children"),
        ],
        progress_default=[0, "Starting …"],
        prevent_initial_call=True,
    )
    def score(set_progress, n_clicks, ticket, fmt):
        """Score the staged upload in the job's own process, reporting each chunk."""
        if not n_clicks:
            raise PreventUpdate
        shown = score_outcome(app, ctx, ticket, fmt, set_progress)
        claims = read_ticket(app, ticket)
        records = past_batches(ctx, claims["by"]) if claims else []
        return {"result": shown, "history": history_view(records)}


def _register_cancel(app, ctx) -> None:
    @app.callback(
        Output(ids.BATCH_RESULT, "children", allow_duplicate=True),
        Input(ids.BATCH_CANCEL, "n_clicks"),
        State(ids.BATCH_TICKET, "data"),
        prevent_initial_call=True,
    )
    def cancel(n_clicks, ticket):
        """Ask the running job to stop after its current chunk."""
        identity = require("analyst")
        claims = read_ticket(app, ticket)
        if not n_clicks or claims is None or claims["by"] != identity.name:
            raise PreventUpdate
        request_cancel(ctx.settings.home, claims["staged"])
        return _alert("Cancelling after the rows being scored now …", "secondary")
