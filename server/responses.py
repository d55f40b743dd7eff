"""One error shape for every JSON answer: {error, code, message, field, request_id}.

`error` is the HTTP status phrase, `code` a stable machine-readable word (by default the
status's, below), `field` the offending input when there is one, and `problems` lists
every offending field when there are several. Never a traceback.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import g, jsonify, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

CODES = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
    503: "not_ready",
}


def error_code(status: int) -> str:
    """The default code of an HTTP status (e.g. 429: rate_limited)."""
    return CODES.get(status, "error" if status < 500 else "internal_error")


def json_error(
    status: int,
    message: str,
    code: str | None = None,
    field: str | None = None,
    problems: list[dict] | None = None,
):
    """A short JSON error with the request's id, never a traceback."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = {
        "error": phrase,
        "code": code or error_code(status),
        "message": message,
        "field": field,
        "request_id": g.get("request_id"),
    }
    if problems:
        body["problems"] = problems
    g.error_code = body["code"]  # for the errors-by-code metric
    return jsonify(body), status


def read_json_body() -> tuple[object, str | None]:
    """The parsed JSON body, or a short reason it cannot be read (too deep, not JSON).

    Parsed through request.get_json(), which keeps the result, so Dash's dispatch reads the
    same object instead of parsing the body a second time.
    """
    try:
        return request.get_json(), None
    except UnsupportedMediaType:
        return None, "the body must be JSON (Content-Type: application/json)"
    except RecursionError:
        return None, "the JSON body is nested too deeply"
    except BadRequest:
        return None, "the body is not valid JSON"
