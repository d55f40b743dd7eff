"""One error shape for every JSON answer: {error, message, request_id}."""

from __future__ import annotations

from http import HTTPStatus

from flask import g, jsonify


def json_error(status: int, message: str):
    """A short JSON error with the request's id, never a traceback."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = {"error": phrase, "message": message, "request_id": g.get("request_id")}
    return jsonify(body), status
