"""/healthz (alive) and /readyz (model loaded, data loaded), plus security headers."""

from __future__ import annotations

from flask import Flask, jsonify

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}


def register(server: Flask, ctx) -> None:
    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz():
        database = ctx.database.write_problem() is None
        ready = ctx.service is not None and ctx.dataset.total_rows > 0 and database
        body = {
            "status": "ready" if ready else "not ready",
            "database": database,
            "model_version": ctx.service.version,
            "dataset": ctx.spec.name,
            "rows": ctx.dataset.total_rows,
        }
        return jsonify(body), 200 if ready else 503

    @server.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
