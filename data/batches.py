"""Batches of scored rows: who scored which file, how far it got, and where its output is.

A batch is 'running' from start until finish sets done, cancelled or failed. Its
rows_scored is counted in the transaction that logs its predictions (scored_step), so it
always equals the rows the log holds under its id, however the batch ended. Output files
live under the home's batches folder, named by the batch id alone: never by a user string.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath

import sqlalchemy as sa

from data.db import Database
from data.tables import batches

STATUSES = ("running", "done", "cancelled", "failed")
OUTPUT_FORMATS = ("csv", "parquet")
BATCH_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class BatchRecord:
    """One batch as the list and the page show it."""

    id: str
    user: str
    file_name: str
    status: str
    model_version: str | None
    rows_in: int
    rows_scored: int
    rows_refused: int
    output: str | None
    message: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def is_batch_id(text: object) -> bool:
    return isinstance(text, str) and BATCH_ID.fullmatch(text) is not None


def output_path(home: Path, batch_id: str, fmt: str) -> Path:
    """Where a batch's output file lives: home/batches/<id>.<csv|parquet>."""
    if not is_batch_id(batch_id):
        raise ValueError("a batch id is 32 hexadecimal characters")
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"a batch's output is one of {OUTPUT_FORMATS}")
    return Path(home) / "batches" / f"{batch_id}.{fmt}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _record(row) -> BatchRecord:
    return BatchRecord(
        **{name: getattr(row, name) for name in BatchRecord.__annotations__}
    )


class BatchStore:
    """Start, count, finish and list batches; each write is one short transaction."""

    def __init__(self, database: Database):
        self.database = database

    def start(
        self, user: str, file_name: str, rows_in: int, model_version: str | None
    ) -> str:
        """A new running batch; its id (32 hex characters)."""
        batch_id = uuid.uuid4().hex
        with self.database.engine.begin() as connection:
            connection.execute(
                batches.insert().values(
                    id=batch_id,
                    user=str(user)[:64],
                    file_name=PurePath(str(file_name)).name[:255] or "(unnamed)",
                    status="running",
                    model_version=model_version,
                    rows_in=int(rows_in),
                    rows_scored=0,
                    rows_refused=0,
                    created_at=_now(),
                )
            )
        return batch_id

    @staticmethod
    def count_scored(connection, batch_id: str, scored: int) -> None:
        """Add `scored` rows inside the caller's transaction (the log write's)."""
        connection.execute(
            batches.update()
            .where(batches.c.id == batch_id)
            .values(rows_scored=batches.c.rows_scored + int(scored))
        )

    def scored_step(self, batch_id: str):
        """An `also` step for score_many: count the rows it logs, in the same transaction."""

        def step(connection, result) -> None:
            self.count_scored(connection, batch_id, result.answered)

        return step

    def set_refused(self, batch_id: str, refused: int) -> None:
        self._update(batch_id, rows_refused=int(refused))

    def finish(
        self,
        batch_id: str,
        status: str,
        output: str | None = None,
        message: str | None = None,
    ) -> BatchRecord:
        """Close a batch: done (with its output file's name), cancelled or failed."""
        if status not in STATUSES[1:]:
            raise ValueError(f"a batch finishes as one of {STATUSES[1:]}")
        self._update(
            batch_id,
            status=status,
            output=output,
            message=(message or None) and message[:500],
            finished_at=_now(),
        )
        return self.get(batch_id)

    def _update(self, batch_id: str, **values) -> None:
        with self.database.engine.begin() as connection:
            connection.execute(
                batches.update().where(batches.c.id == batch_id).values(**values)
            )

    def get(self, batch_id: str, user: str | None = None) -> BatchRecord | None:
        """One batch; with `user`, only if it is theirs (a page's re-download)."""
        if not is_batch_id(batch_id):
            return None
        query = sa.select(batches).where(batches.c.id == batch_id)
        if user is not None:
            query = query.where(batches.c.user == user)
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return _record(row) if row else None

    def list(self, user: str, limit: int = 20) -> list[BatchRecord]:
        """A user's batches, newest first."""
        query = (
            sa.select(batches)
            .where(batches.c.user == user)
            .order_by(batches.c.created_at.desc(), batches.c.id)
            .limit(max(1, min(int(limit), 1000)))
        )
        with self.database.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]
