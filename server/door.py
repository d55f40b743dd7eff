"""Checks at the door, before Dash sees a request: who is asking, and is the request sane.

- every request gets a request id (X-Request-ID, the access log, the prediction log row);
- without a session, a page redirects to /login and a JSON route answers 401;
- a callback request is checked for shape (400) and for the role its callback needs (403);
- errors are short JSON for JSON routes and never carry a traceback;
- the JSON API (/api/) answers to an API key (`Authorization: Bearer`), never to a
  session nor to open mode; /metrics checks its own token (server/metrics.py).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import dash
from dash.exceptions import DependencyException
from flask import g, redirect, request
from werkzeug.exceptions import HTTPException

from config import Settings
from data.api_keys import ApiKeyStore
from data.stores import new_request_id
from server.api import bearer_identity, is_api, is_public_api
from server.auth import resolve_identity
from server.batch_files import upload_size_problem
from server.callback_requests import callback_request_problem
from server.responses import json_error, read_json_body

log = logging.getLogger("flightdeck.http")

# /metrics is let through to check its own token (server/metrics.py).
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/readyz", "/_favicon.ico", "/metrics"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
JSON_PREFIXES = ("/_dash-", "/_reload-hash", "/api/", "/metrics")
DISPATCH = "/_dash-update-component"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def wants_json(path: str) -> bool:
    return path.startswith(JSON_PREFIXES)


def register(
    app: dash.Dash,
    settings: Settings,
    callback_roles: dict[str, str],
    api_keys: ApiKeyStore | None = None,
) -> None:
    """Install the door on the app's Flask server (no `api_keys`: the API answers 401)."""
    server = app.server

    @server.before_request
    def door():
        g.request_id = new_request_id()
        if is_public(request.path) or is_public_api(request.path):
            return None
        if is_api(request.path):
            return _check_api_key(api_keys)
        g.identity = identity = resolve_identity(settings)
        if identity is None:
            if wants_json(request.path):
                return json_error(401, "sign in first: POST /login")
            return redirect(f"/login?next={quote(request.full_path.rstrip('?'))}")
        if request.path == DISPATCH and request.method == "POST":
            too_big = upload_size_problem(identity, settings.max_request_kb * 1024)
            if too_big:
                return json_error(413, too_big)
            return _check_callback(app, callback_roles, identity)
        return None

    @server.after_request
    def tag(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        identity = g.get("identity")
        request.environ["flightdeck.user"] = identity.name if identity else "-"
        return response

    _register_errors(server)


def _check_api_key(api_keys: ApiKeyStore | None):
    g.identity = bearer_identity(api_keys)
    if g.identity is None:
        return json_error(401, "send an active API key: Authorization: Bearer <key>")
    return None


def _check_callback(app: dash.Dash, callback_roles: dict[str, str], identity):
    body, problem = read_json_body()
    if problem is None:
        problem = callback_request_problem(body, app.callback_map)
    if problem:
        return json_error(400, problem)
    g.callback_output = body["output"]  # a known callback's: /metrics labels by it
    needed = callback_roles.get(body["output"], "admin")  # unlisted: most restrictive
    if not identity.can(needed):
        return json_error(
            403, f"this needs the {needed} role; you are signed in as a {identity.role}"
        )
    return None


def _register_errors(server) -> None:
    @server.errorhandler(DependencyException)
    def unknown_component_file(_error):
        return json_error(404, "no such component file")

    @server.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json(request.path) or error.code in (413, 415):
            return json_error(error.code or 500, error.description or "")
        return error

    @server.errorhandler(Exception)
    def internal_error(error: Exception):
        log.exception("request %s failed", g.get("request_id"))
        return json_error(500, "internal error; quote the request id to the team")
