"""/healthz (the process is alive) and /readyz (model loaded, database takes writes)."""

from __future__ import annotations

import os

from flask import Flask, jsonify


def register(server: Flask, ctx) -> None:
    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @server.get("/readyz")
    def readyz():
        problem = ctx.database.write_problem()
        serving = ctx.models.serving
        ready = ctx.dataset.total_rows > 0 and not problem
        status = (
            "not ready" if not ready else "degraded" if serving.degraded else "ready"
        )
        body = {
            "status": status,
            "database": problem is None,
            "model_version": serving.service.version,
            "champion": serving.champion,
            "challenger": serving.shadow.version if serving.shadow else None,
            "worker": os.getpid(),  # which process answered (several under gunicorn)
            "dataset": ctx.spec.name,
            "rows": ctx.dataset.total_rows,
        }
        if problem:
            body["reason"] = f"the database does not take writes: {problem}"
        elif serving.degraded:
            body["reason"] = serving.reason
        return jsonify(body), 200 if ready else 503
