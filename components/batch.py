"""Batch page layout: upload a file, read its validation report, score it as a background
job, download the result, and find past batches again (analysts and admins).

The builders here take plain values (batch records) and return Dash components, so tests
read them without a server; the report and a batch's result are components/batch_report.py.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.batch_report import download_href
from components.model_retrain import job_progress
from components.page import page_header
from context import AppContext
from data.uploads import MAX_UPLOAD_BYTES, caps_line

FORMATS = {"csv": "CSV", "parquet": "Parquet"}
HISTORY_SHOWN = 20
SHOWN = {"display": "block"}
HIDDEN = {"display": "none"}
STATUS_COLORS = {
    "done": "success",
    "running": "primary",
    "cancelled": "secondary",
    "failed": "danger",
}
UPLOAD_STYLE = {
    "borderWidth": "2px",
    "borderStyle": "dashed",
    "borderRadius": "0.5rem",
    "padding": "1.25rem 0.75rem",
    "textAlign": "center",
    "cursor": "pointer",
}


def caps_words() -> str:
    """The upload caps in words, from the same constants the server enforces."""
    return f"CSV or Parquet, {caps_line()}."


def progress_words(done: int, total: int) -> str:
    """'12,000 of 100,000 rows' for the progress bar."""
    return f"{done:,} of {total:,} rows"


def progress_percent(done: int, total: int) -> int:
    return 0 if total <= 0 else max(0, min(100, round(100 * done / total)))


def _upload_card(ctx: AppContext) -> dbc.Card:
    columns = ", ".join(f.column for f in ctx.spec.features)
    upload = dcc.Upload(
        id=ids.BATCH_UPLOAD,
        children=html.Div(
            [html.Strong("Drop a file here"), " or click to choose one"],
            className="text-muted",
        ),
        accept=".csv,.parquet,text/csv",
        max_size=MAX_UPLOAD_BYTES,
        multiple=False,
        # The label around it opens the file chooser (and names it); a click of the
        # zone's own would open it twice. Tab reaches the chooser, Enter opens it.
        disable_click=True,
        style=UPLOAD_STYLE,
        className="mb-2",
    )
    return dbc.Card(
        [
            dbc.CardHeader("1 · Upload a file"),
            dbc.CardBody(
                [
                    html.Label(upload, className="d-block upload-zone"),
                    html.Div(caps_words(), className="small fw-semibold"),
                    html.Div(
                        [
                            "Columns are matched by name; the model reads ",
                            html.Span(columns, className="text-break"),
                            ". Other columns are kept in the output but not used.",
                        ],
                        className="form-text",
                    ),
                    dcc.Loading(html.Div(id=ids.BATCH_REPORT, className="mt-3")),
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )


def _format_choice() -> html.Div:
    """CSV or Parquet out, as a named group of radios."""
    choice = dbc.RadioItems(
        id=ids.BATCH_FORMAT,
        options=[
            {"label": f"{name} file", "value": fmt} for fmt, name in FORMATS.items()
        ],
        value="csv",
        inline=True,
        className="small me-3",
    )
    return html.Div(choice, role="radiogroup", **{"aria-label": "Scored file format"})


def _score_buttons() -> html.Div:
    """Score (enabled once a file can be scored) and Cancel (while it is scored)."""
    score = dbc.Button(
        "Score",
        id=ids.BATCH_SCORE,
        color="primary",
        size="sm",
        disabled=True,
        className="me-2",
    )
    cancel = dbc.Button(
        "Cancel",
        id=ids.BATCH_CANCEL,
        color="secondary",
        outline=True,
        size="sm",
        disabled=True,
    )
    return html.Div([score, cancel], className="text-nowrap")


def _score_card() -> dbc.Card:
    controls = html.Div(
        [_format_choice(), _score_buttons()],
        className="d-flex flex-wrap align-items-center row-gap-2",
    )
    note = html.Div(
        "Each scored row is logged with source batch, your name and "
        "the batch id. Cancel stops after the chunk being scored.",
        className="form-text",
    )
    running = job_progress(
        ids.BATCH_PROGRESS,
        ids.BATCH_PROGRESS_TEXT,
        ids.BATCH_RUNNING,
        className="mt-3",
    )
    return dbc.Card(
        [
            dbc.CardHeader("2 · Score the valid rows"),
            dbc.CardBody(
                [
                    controls,
                    note,
                    running,
                    html.Div(id=ids.BATCH_RESULT, className="mt-3"),
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )


def batch_layout(ctx: AppContext, search: str | None = None, identity=None):
    """The Batch page; the past batches are the signed-in user's own."""
    header = page_header(
        "Batch",
        "Score a whole file with the serving model: check it first, score the "
        "rows that pass, download the result.",
    )
    records = [] if identity is None else past_batches(ctx, identity.name)
    return html.Div(
        [
            dcc.Store(id=ids.BATCH_TICKET),
            header,
            dbc.Row(
                [
                    dbc.Col(_upload_card(ctx), lg=7),
                    dbc.Col(_score_card(), lg=5),
                ],
                className="g-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader("Your past batches"),
                    dbc.CardBody(
                        history_view(records), id=ids.BATCH_HISTORY, className="p-2"
                    ),
                ],
                className="shadow-sm",
            ),
        ]
    )


def past_batches(ctx: AppContext, user: str) -> list:
    """The user's latest batches, newest first."""
    from data.batches import BatchStore

    return BatchStore(ctx.database).list(user, HISTORY_SHOWN)


def _when(moment) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _history_row(record) -> html.Tr:
    link = (
        html.A("Download", href=download_href(record.id), className="text-nowrap")
        if record.status == "done" and record.output
        else ""
    )
    status = dbc.Badge(record.status, color=STATUS_COLORS.get(record.status, "light"))
    return html.Tr(
        [
            html.Td(_when(record.created_at), className="text-nowrap"),
            html.Td(record.file_name, className="text-break"),
            html.Td(status),
            html.Td(f"{record.rows_scored:,} of {record.rows_in:,}"),
            html.Td(f"{record.rows_refused:,}"),
            html.Td(record.model_version or "", className="text-break"),
            html.Td(link),
        ]
    )


def history_view(records: list):
    """A table of past batches with a download link for each finished one."""
    if not records:
        return html.Div("No batches yet.", className="small text-muted p-2")
    head = html.Thead(
        html.Tr(
            [
                html.Th(name)
                for name in (
                    "Started (UTC)",
                    "File",
                    "Status",
                    "Scored",
                    "Refused",
                    "Model",
                    "",
                )
            ]
        )
    )
    body = html.Tbody([_history_row(r) for r in records])
    return dbc.Table(
        [head, body], size="sm", hover=True, responsive=True, className="small mb-0"
    )
