"""Batch page layout: upload a file, read its validation report, score it as a background
job, download the result, and find past batches again (analysts and admins).

The builders here take plain values (a report's dict, batch records) and return Dash
components, so tests read them without a server.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from context import AppContext
from data.uploads import MAX_UPLOAD_BYTES, caps_line
from model.batch_check import PROBLEM_KINDS, ROWS_NOTE, WARNING_KINDS

FORMATS = {"csv": "CSV", "parquet": "Parquet"}
PROBLEMS_SHOWN = 50
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
        style=UPLOAD_STYLE,
        className="mb-2",
    )
    return dbc.Card(
        [
            dbc.CardHeader("1 · Upload a file"),
            dbc.CardBody(
                [
                    upload,
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


def _score_card() -> dbc.Card:
    running = html.Div(
        [
            dbc.Progress(
                id=ids.BATCH_PROGRESS,
                value=0,
                striped=True,
                animated=True,
                style={"height": "0.75rem"},
            ),
            html.Div(id=ids.BATCH_PROGRESS_TEXT, className="small mt-1"),
        ],
        id=ids.BATCH_RUNNING,
        className="mt-3",
        style=HIDDEN,
    )
    return dbc.Card(
        [
            dbc.CardHeader("2 · Score the valid rows"),
            dbc.CardBody(
                [
                    html.Div(
                        [
                            dbc.RadioItems(
                                id=ids.BATCH_FORMAT,
                                options=[
                                    {"label": f"{name} file", "value": fmt}
                                    for fmt, name in FORMATS.items()
                                ],
                                value="csv",
                                inline=True,
                                className="small me-3",
                            ),
                            html.Div(
                                [
                                    dbc.Button(
                                        "Score",
                                        id=ids.BATCH_SCORE,
                                        color="primary",
                                        size="sm",
                                        disabled=True,
                                        className="me-2",
                                    ),
                                    dbc.Button(
                                        "Cancel",
                                        id=ids.BATCH_CANCEL,
                                        color="secondary",
                                        outline=True,
                                        size="sm",
                                        disabled=True,
                                    ),
                                ],
                                className="text-nowrap",
                            ),
                        ],
                        className="d-flex flex-wrap align-items-center row-gap-2",
                    ),
                    html.Div(
                        "Each scored row is logged with source batch, your name and "
                        "the batch id. Cancel stops after the chunk being scored.",
                        className="form-text",
                    ),
                    running,
                    html.Div(id=ids.BATCH_RESULT, className="mt-3"),
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )


def batch_layout(ctx: AppContext, search: str | None = None, identity=None):
    """The Batch page; the past batches are the signed-in user's own."""
    header = html.Div(
        [
            html.H4("Batch", className="mb-0"),
            html.Div(
                "Score a whole file with the serving model: check it first, score the "
                "rows that pass, download the result.",
                className="text-muted",
            ),
        ],
        className="mb-3",
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


def download_href(batch_id: str) -> str:
    return f"/batch/{batch_id}/download"


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


def _count_badge(words: str, color: str) -> dbc.Badge:
    return dbc.Badge(words, color=color, className="me-1 mb-1 fw-normal")


def _summary(report) -> html.Div:
    refused = report.refused_rows
    if report.missing_columns:
        can = _count_badge(f"columns missing: {len(report.missing_columns)}", "danger")
    else:
        can = _count_badge(f"{report.valid_rows:,} can be scored", "success")
    badges = [
        _count_badge(f"{report.rows:,} rows", "secondary"),
        can,
        _count_badge(f"{refused:,} refused", "danger" if refused else "secondary"),
    ]
    badges += [
        _count_badge(
            f"{kind}: {count:,}", "warning" if kind in WARNING_KINDS else "danger"
        )
        for kind, count in report.counts.items()
        if count
    ]
    return html.Div(badges, className="mb-2")


def _columns_notes(report) -> list:
    notes = []
    if report.missing_columns:
        names = []
        for column in report.missing_columns:
            label, near = (
                report.labels.get(column, column),
                report.suggestions.get(column),
            )
            names.append(
                f"{column} ({label})" + (f", did you mean {near}?" if near else "")
            )
        notes.append(
            _note("Missing columns, so nothing can be scored: ", names, "danger")
        )
    if report.extra_columns:
        extra = list(report.extra_columns)
        notes.append(
            _note("Extra columns, not used, kept in the output: ", extra, "light")
        )
    return notes


def _note(lead: str, names: list[str], color: str) -> dbc.Alert:
    return dbc.Alert(
        [html.Strong(lead), html.Span("; ".join(names), className="text-break")],
        color=color,
        className="small py-2 mb-2",
    )


def _cells_table(
    title: str, cells: list, counted: int, labels: dict
) -> html.Div | None:
    """The first cells of a kind (problems or warnings), by row, with their values."""
    if not cells:
        return None
    shown = cells[:PROBLEMS_SHOWN]
    head = html.Thead(
        html.Tr([html.Th(h) for h in ("Row", "Column", "Problem", "Value")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(f"{cell.row:,}"),
                    html.Td(
                        labels.get(cell.column, cell.column), className="text-break"
                    ),
                    html.Td(cell.kind),
                    html.Td(cell.value, className="text-break"),
                ]
            )
            for cell in shown
        ]
    )
    more = f"; the first {len(shown):,} of {counted:,}" if counted > len(shown) else ""
    return html.Div(
        [
            html.Div(f"{title}{more}", className="small fw-semibold mt-2"),
            html.Div(
                dbc.Table(
                    [head, body], size="sm", striped=True, className="small mb-0"
                ),
                style={"maxHeight": "16rem", "overflowY": "auto"},
            ),
        ]
    )


def _verdict(report) -> dbc.Alert:
    if not report.usable:
        return dbc.Alert(
            "Nothing can be scored: fix the file and upload it again.",
            color="danger",
            className="small py-2 mb-2",
        )
    words = f"{report.valid_rows:,} of {report.rows:,} rows can be scored"
    if report.refused_rows:
        words += f"; {report.refused_rows:,} refused rows will be left out"
    return dbc.Alert(
        words + ". Press Score.",
        color="warning" if report.refused_rows else "success",
        className="small py-2 mb-2",
    )


def report_view(report, file_name: str) -> html.Div:
    """The validation report: counts, missing and extra columns, the first problem cells."""
    counts = report.counts
    problems = sum(counts.get(kind, 0) for kind in PROBLEM_KINDS)
    warnings = sum(counts.get(kind, 0) for kind in WARNING_KINDS)
    return html.Div(
        [
            html.Div(
                [
                    html.Strong("Report for "),
                    html.Span(file_name, className="text-break"),
                ],
                className="small mb-1",
            ),
            _summary(report),
            _verdict(report),
            *_columns_notes(report),
            _cells_table("Refused cells", report.problems, problems, report.labels),
            _cells_table(
                "Warnings (scored, but outside what training saw)",
                report.warnings,
                warnings,
                report.labels,
            ),
            html.Div(ROWS_NOTE[0].upper() + ROWS_NOTE[1:] + ".", className="form-text"),
        ]
    )


def result_view(record) -> dbc.Alert:
    """What a finished, cancelled or failed batch left, with its download when done."""
    counts = (
        f"{record.rows_scored:,} of {record.rows_in:,} rows scored with model "
        f"{record.model_version}, {record.rows_refused:,} refused"
    )
    ident = html.Div(f"Batch {record.id}", className="form-text text-break")
    if record.status == "done":
        link = html.A(
            "Download the scored file",
            href=download_href(record.id),
            className="btn btn-success btn-sm mt-2",
        )
        return dbc.Alert([html.Div(f"Done: {counts}."), link, ident], color="success")
    if record.status == "cancelled":
        words = (
            f"Cancelled: {counts}. The rows scored before the cancel are logged under "
            "this batch; no file was written."
        )
        return dbc.Alert([html.Div(words), ident], color="secondary", className="small")
    message = record.message or "no reason recorded"
    return dbc.Alert(
        [html.Div(f"The batch failed: {message}"), ident],
        color="danger",
        className="small",
    )
