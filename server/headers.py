"""Security headers on every response: a strict CSP, no framing; no version in `Server`.

Dash's only inline script (the renderer start-up) is allowed by its hash from
`app.csp_hashes()`; styles need 'unsafe-inline' because Plotly and AG Grid set style
attributes. The map's topojson and every bundle are served from this origin.
"""

from __future__ import annotations

import dash
from flask import request
from werkzeug.serving import WSGIRequestHandler

NO_STORE = (
    "/login",
    "/logout",
    "/_dash-layout",
    "/_dash-update",
    "/_dash-dependencies",
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def content_security_policy(script_hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *script_hashes])  # Dash quotes its hashes
    directives = {
        "default-src": "'self'",
        "script-src": scripts,
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(app: dash.Dash, tls: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(app.csp_hashes()),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's dev server without its "Werkzeug/x Python/y" Server header.

    (gunicorn's own header says only "gunicorn".)
    """

    def version_string(self) -> str:
        return "flightdeck"


def register(app: dash.Dash, tls: bool) -> None:
    """Add the headers to every response (computed once: the hashes do not change)."""
    headers: dict[str, str] = {}

    @app.server.after_request
    def secure(response):
        if not headers:
            headers.update(security_headers(app, tls))
        for name, value in headers.items():
            response.headers[name] = value
        if request.path.startswith(NO_STORE):
            response.headers["Cache-Control"] = "no-store"
        return response
