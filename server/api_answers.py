"""How POST /api/v1/predict answers: readiness, every record checked, then scored and
logged once (source `api`), the answer kept under the client's Idempotency-Key.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import jsonify, request

from config import Settings
from data.db import first_line
from data.inputs import BadInput
from model.scoring import BatchResult
from model.service import InputError, ModelService, PredictionNotLogged
from server import idempotency
from server.idempotency import HEADER, ClaimTaken
from server.responses import json_error

READY_CACHE_S = 1.0  # the write probe runs at most this often per process


class Answering:
    """Turns checked records into a logged answer (or an error in the API's shape)."""

    def __init__(self, ctx, settings: Settings):
        self.ctx = ctx
        self.settings = settings
        self._ready: tuple[float, str | None] = (0.0, None)

    def not_ready(self) -> str | None:
        """Why predictions cannot be answered now (the database takes no writes)."""
        checked, problem = self._ready
        if time.monotonic() - checked > READY_CACHE_S:
            problem = self.ctx.database.write_problem()
            # Busy is not broken: under load another request holds the write lock for a
            # moment, and this request's own write waits its turn (a lock that lasts
            # fails that write, which is a 503 too). Only other failures refuse early.
            if problem is not None and "locked" in problem:
                problem = None
            self._ready = (time.monotonic(), problem)
        return problem

    def answer(self, rows: list[dict], many: bool, user: str):
        """The answer to `rows` (already of the contract's shape), logged before it is sent."""
        key = request.headers.get(HEADER)
        problem = idempotency.key_problem(key) if key is not None else None
        if problem:
            return json_error(400, problem, field=HEADER)
        problem = self.not_ready()
        if problem:
            return json_error(503, f"the database does not take writes: {problem}")
        # Only a retried key compares bodies: without one, no hash on the hot path.
        digest = idempotency.body_sha256(request.get_json()) if key else None
        try:
            stored = idempotency.find(self.ctx.database, user, key) if key else None
            if stored is not None:
                return replay(stored, digest)
            refused = record_problems(self.ctx.models.current(), rows, many)
            if refused:
                return refuse(refused)
            return self._score(rows, user, key, digest)
        except sa.exc.SQLAlchemyError as exc:  # the database went away meanwhile
            return json_error(503, f"the database is not answering: {first_line(exc)}")

    def _score(self, rows: list[dict], user: str, key: str | None, digest: str | None):
        kind = self.ctx.models.current().kind

        def keep(connection, result: BatchResult) -> None:
            body = response_body(result, kind)
            idempotency.claim(connection, user, key, digest, 200, body)

        try:
            _, result = self.ctx.models.predict_many(
                rows,
                source="api",
                user=user,
                idempotency_key=key,
                also=keep if key is not None else None,
            )
        except ClaimTaken:
            return replay(idempotency.find(self.ctx.database, user, key), digest)
        except PredictionNotLogged as exc:
            return json_error(503, f"not answered: {exc}")
        if result.problems:  # the version changed between the check and the scoring
            return refuse(
                [
                    {"field": f"records[{i}]", "message": problem}
                    for i, found in result.problems.items()
                    for problem in found
                ]
            )
        return jsonify(response_body(result, kind))


def response_body(result: BatchResult, kind: str) -> dict:
    """The JSON answer: one prediction per record, in order."""
    return {
        "model_version": result.version,
        "predictions": [
            {
                "request_id": request_id,
                "value": value,
                "label": label or None,
                "band": label if kind == "binary" else None,
                "warnings": result.warnings.get(i, []),
            }
            for i, (request_id, value, label) in enumerate(
                zip(result.request_ids, result.values, result.labels, strict=True)
            )
        ],
    }


def replay(stored: idempotency.Stored | None, digest: str):
    """The kept answer for a retried key; another body under the same key is a 422."""
    if stored is None:  # the winner's row is gone (cleaned up): refuse, not guess
        return json_error(409, "this idempotency key is being answered; retry")
    if stored.body_sha256 != digest:
        return json_error(
            422,
            "this Idempotency-Key was used with another body; use a new key",
            code="idempotency_key_reused",
            field=HEADER,
        )
    response = jsonify(stored.response)
    response.status_code = stored.status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def record_problems(service: ModelService, rows: list[dict], many: bool) -> list[dict]:
    """Each record's problems as ModelService.validate words them (unknown categories,
    numbers that are not numbers), with the field they concern (`records[3].temp`)."""
    columns = {entry.label: column for column, entry in service.schema.items()}
    found = []
    for i, row in enumerate(rows):
        try:
            service.validate(row, allow_missing=True)
        except (InputError, BadInput) as exc:
            for problem in getattr(exc, "problems", [str(exc)]):
                found.append(
                    {"field": _path(i, many, problem, columns), "message": problem}
                )
    return found


def _path(i: int, many: bool, problem: str, columns: dict[str, str]) -> str | None:
    column = next(
        (c for label, c in columns.items() if problem.startswith(label)), None
    )
    record = f"records[{i}]" if many else ""
    if column is None:
        return record or None
    return f"{record}.{column}" if record else column


def refuse(problems: list[dict], unnamed: str | None = None):
    """A 400 naming every bad field (a problem of no field as `unnamed`, if given);
    nothing was scored or logged."""
    shown = problems[:50]
    words = "; ".join(
        f"{p['field'] or unnamed}: {p['message']}"
        if p["field"] or unnamed
        else p["message"]
        for p in shown[:5]
    )
    return json_error(400, words, field=shown[0]["field"], problems=shown)
