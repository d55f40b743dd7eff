"""/healthz (the process is alive) and /readyz (model loaded, database takes writes)."""

from __future__ import annotations

from flask import Flask, jsonify


def register(server: Flask, ctx) -> None:
    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz():
        problem = ctx.database.write_problem()
        ready = ctx.service is not None and ctx.dataset.total_rows > 0 and not problem
        body = {
            "status": "ready" if ready else "not ready",
            "database": problem is None,
            "model_version": ctx.service.version,
            "dataset": ctx.spec.name,
            "rows": ctx.dataset.total_rows,
        }
        if problem:
            body["reason"] = f"the database does not take writes: {problem}"
        return jsonify(body), 200 if ready else 503
