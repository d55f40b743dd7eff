"""The Batch page's answers: a file's validation report (counts, missing and extra
columns, the first problem cells) and what a finished, cancelled or failed batch left.

Plain values in (a ValidationReport, a BatchRecord), Dash components out, so tests read
them without a server.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from model.batch_check import PROBLEM_KINDS, ROWS_NOTE, WARNING_KINDS

PROBLEMS_SHOWN = 50


def download_href(batch_id: str) -> str:
    """Where a batch's scored file is fetched (GET, served by server/batch_files.py)."""
    return f"/batch/{batch_id}/download"


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
