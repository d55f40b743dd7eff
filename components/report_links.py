"""Report buttons: a page's view as an HTML or PDF file, from the server (server/reports.py).

They are plain links: the server answers with a file, so the page stays where it is.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

OVERVIEW_REPORT = "/report/overview"
PREDICT_REPORT = "/report/predict"


def report_href(path: str, query: str | None, fmt: str) -> str:
    return f"{path}.{fmt}{query or ''}"


def report_buttons(html_id: str, pdf_id: str, path: str | None = None) -> html.Div:
    """HTML and PDF download buttons; without `path` they have no link until a callback
    gives them one (Predict's, once there is an answer)."""
    button = {
        "size": "sm",
        "outline": True,
        "color": "secondary",
        "external_link": True,
    }
    links = {
        fmt: report_href(path, "", fmt) if path else None for fmt in ("html", "pdf")
    }
    return html.Div(
        [
            html.Span("Report", className="small text-muted me-2"),
            dbc.ButtonGroup(
                [
                    dbc.Button("HTML", id=html_id, href=links["html"], **button),
                    dbc.Button("PDF", id=pdf_id, href=links["pdf"], **button),
                ],
                size="sm",
            ),
        ],
        className="d-inline-flex align-items-center",
        title="Download what this page shows, to send",
    )
