"""GET /report/overview.<html|pdf> and /report/predict.<html|pdf>: what the user sees, as a
file to send. The query is the page's own link (the Overview's filters, Predict's inputs),
validated like any callback input; a bad one gets a short page saying why, and no file.
"""

from __future__ import annotations

import datetime as dt
import html

from flask import Response, abort, request

from components.predict_link import SCENARIO
from components.report import report_html
from components.report_views import overview_report, predict_report
from data.filters import FilterError
from data.inputs import BadInput
from model.service import InputError, PredictionNotLogged
from server.auth import request_id, require
from server.pdf import PdfUnavailable, html_to_pdf

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _query() -> str:
    return request.query_string.decode("utf-8", "replace")


def _link(path: str) -> str:
    query = "&".join(
        part for part in _query().split("&") if part and not part.startswith(SCENARIO)
    )
    return request.host_url.rstrip("/") + path + (f"?{query}" if query else "")


def _refused(status: int, reason: str) -> Response:
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Report not made</title></head><body>"
        f"<h1>Report not made</h1><p>{html.escape(reason)}</p>"
        '<p><a href="/">Back to Flightdeck</a></p></body></html>'
    )
    return Response(page, status=status, mimetype="text/html")


def _file(report, name: str, fmt: str, chromium: str) -> Response:
    page = report_html(report)
    body = page.encode("utf-8") if fmt == "html" else html_to_pdf(page, chromium)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="flightdeck-{name}-{stamp}.{fmt}"'
    )
    return response


def register(server, ctx) -> None:
    chromium = ctx.settings.chromium

    @server.get("/report/overview.<fmt>")
    def overview_file(fmt: str):
        require("viewer")
        if fmt not in FORMATS:
            abort(404)
        try:
            report = overview_report(ctx, _query(), _link("/"))
            return _file(report, "overview", fmt, chromium)
        except (FilterError, BadInput) as exc:
            return _refused(400, f"The filters in this link cannot be used: {exc}")
        except PdfUnavailable as exc:
            return _refused(503, str(exc))

    @server.get("/report/predict.<fmt>")
    def predict_file(fmt: str):
        identity = require("analyst")
        if fmt not in FORMATS:
            abort(404)
        try:
            report = predict_report(
                ctx, _query(), _link("/predict"), identity.name, request_id()
            )
            return _file(report, "prediction", fmt, chromium)
        except InputError as exc:
            return _refused(400, "Fix these inputs first: " + "; ".join(exc.problems))
        except BadInput as exc:
            return _refused(400, f"Fix these inputs first: {exc}")
        except PredictionNotLogged as exc:
            return _refused(503, f"The prediction could not be recorded ({exc}).")
        except PdfUnavailable as exc:
            return _refused(503, str(exc))
