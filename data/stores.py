"""The prediction log: every prediction, written in its own short transaction before it is shown.

The table lives in data/tables.py and is created by the Alembic migrations (data/db.py).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Database
from data.tables import predictions


@dataclass(frozen=True)
class ShadowAnswer:
    """The challenger's answer to a logged request, filled into its row after the fact."""

    request_id: str
    output: float
    label: str | None


def new_request_id() -> str:
    return uuid.uuid4().hex


class PredictionLog:
    """Append-only log of every prediction, written before the answer is returned."""

    def __init__(self, database: Database):
        self.database = database

    @property
    def engine(self):
        return self.database.engine

    def record(
        self,
        *,
        source: str,
        model_version: str,
        model_sha256: str,
        inputs: dict,
        output: float,
        latency_ms: float,
        output_label: str | None = None,
        user: str | None = None,
        challenger_version: str | None = None,
        challenger_output: float | None = None,
        challenger_label: str | None = None,
        fallback: str | None = None,
        request_id: str | None = None,
    ) -> str:
        """Write one row in its own short transaction and return its request id."""
        request_id = request_id or new_request_id()
        row = {
            "request_id": request_id,
            "created_at": dt.datetime.now(dt.UTC),
            "source": source,
            "user": user,
            "model_version": model_version,
            "model_sha256": model_sha256,
            "inputs": json.dumps(inputs, sort_keys=True),
            "output": float(output),
            "output_label": output_label,
            "challenger_version": challenger_version,
            "challenger_output": challenger_output,
            "challenger_label": challenger_label,
            "fallback": fallback,
            "latency_ms": float(latency_ms),
        }
        with self.engine.begin() as connection:
            connection.execute(predictions.insert(), row)
        return request_id

    def count(self, source: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(predictions)
        if source is not None:
            query = query.where(predictions.c.source == source)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar())

    def recent(self, limit: int = 10) -> list[dict]:
        query = sa.select(predictions).order_by(predictions.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def request_ids(self) -> set[str]:
        """Every logged request id (tests and checks compare them with what was answered)."""
        with self.engine.connect() as connection:
            return set(
                connection.execute(sa.select(predictions.c.request_id)).scalars()
            )

    def fill_shadow(self, version: str, answers: Sequence[ShadowAnswer]) -> int:
        """Write the challenger's answers into their rows (once: filled rows are kept)."""
        if not answers:
            return 0
        c = predictions.c
        query = (
            predictions.update()
            .where(c.request_id == sa.bindparam("rid"))
            .where(c.challenger_version == version)
            .where(c.challenger_output.is_(None))
            .values(
                challenger_output=sa.bindparam("out"),
                challenger_label=sa.bindparam("lab"),
            )
        )
        rows = [
            {"rid": a.request_id, "out": float(a.output), "lab": a.label}
            for a in answers
        ]
        with self.engine.begin() as connection:
            return connection.execute(query, rows).rowcount

    def shadow_pending(
        self, version: str, before: dt.datetime, limit: int = 500
    ) -> list[tuple[str, dict]]:
        """Rows `version` shadows whose answer is still missing, logged before `before`."""
        c = predictions.c
        query = (
            sa.select(c.request_id, c.inputs)
            .where(c.challenger_version == version)
            .where(c.challenger_output.is_(None))
            .where(c.created_at < before)
            .order_by(c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [(rid, json.loads(text)) for rid, text in connection.execute(query)]
