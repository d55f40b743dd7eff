"""SQL stores (SQLAlchemy): the prediction log. SQLite by default, any URL via DATABASE_URL.

SQLite runs in WAL mode with synchronous=FULL and a busy timeout; writes are one short
transaction each; the engine is rebuilt in a forked worker rather than carried across fork.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

predictions = sa.Table(
    "predictions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(36), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("user", sa.String(64)),
    sa.Column("model_version", sa.String(64), nullable=False, index=True),
    sa.Column("model_sha256", sa.String(64), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("output", sa.Float, nullable=False),
    sa.Column("challenger_output", sa.Float),
    sa.Column("latency_ms", sa.Float, nullable=False),
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class PredictionLog:
    """Append-only log of every prediction, written before the answer is returned."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._pid: int | None = None

    @property
    def engine(self) -> Engine:
        """This process's engine; a forked worker builds its own instead of sharing sockets."""
        if self._engine is None or self._pid != os.getpid():
            self._engine = make_engine(self.url)
            self._pid = os.getpid()
        return self._engine

    def create(self) -> PredictionLog:
        metadata.create_all(self.engine)
        return self

    def record(
        self,
        *,
        source: str,
        model_version: str,
        model_sha256: str,
        inputs: dict,
        output: float,
        latency_ms: float,
        user: str | None = None,
        challenger_output: float | None = None,
    ) -> str:
        """Write one row in its own short transaction and return its request id."""
        request_id = str(uuid.uuid4())
        row = {
            "request_id": request_id,
            "created_at": dt.datetime.now(dt.UTC),
            "source": source,
            "user": user,
            "model_version": model_version,
            "model_sha256": model_sha256,
            "inputs": json.dumps(inputs, sort_keys=True),
            "output": float(output),
            "challenger_output": challenger_output,
            "latency_ms": float(latency_ms),
        }
        with self.engine.begin() as connection:
            connection.execute(predictions.insert(), row)
        return request_id

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(predictions)
                ).scalar()
            )

    def recent(self, limit: int = 10) -> list[dict]:
        query = sa.select(predictions).order_by(predictions.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False
