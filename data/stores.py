"""The prediction log: every prediction, written in its own short transaction before it is shown.

The table lives in data/tables.py and is created by the Alembic migrations (data/db.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Database
from data.log_insert import insert
from data.tables import fit, outcomes, predictions
from monitor import store as aggregates
from monitor.aggregates import (
    Binning,
    Deltas,
    Logged,
    challenger_deltas,
    field_deltas,
    outcome_deltas,
)

CHUNK = 500  # ids per IN (...) query


@dataclass(frozen=True)
class ShadowAnswer:
    """The challenger's answer to a logged request, filled into its row after the fact."""

    request_id: str
    output: float
    label: str | None


def new_request_id() -> str:
    return uuid.uuid4().hex


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stored_key(key: str | None) -> str | None:
    """An event key as predictions.event_key holds it: a longer one is cut and ends in a
    hash of the whole, so it still names one event (and the same one when matched)."""
    length = predictions.c.event_key.type.length
    if key is None or len(key) <= length:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{key[: length - 17]}#{digest}"


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def log_row(
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
    event_time: dt.datetime | None = None,
    event_key: str | None = None,
    probabilities: dict | None = None,
    batch_id: str | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """One prediction as PredictionLog.write takes it: inputs and class probabilities are
    still mappings (monitoring bins them as they are; only the insert turns them to JSON)."""
    now = now or _now()
    return {
        "request_id": request_id or new_request_id(),
        "created_at": now,
        "event_time": event_time or now,
        "event_key": stored_key(event_key),
        "probabilities": probabilities or None,
        "source": source,
        "user": fit(predictions.c.user, user),
        "model_version": model_version,
        "model_sha256": model_sha256,
        "inputs": inputs,
        "output": float(output),
        "output_label": fit(predictions.c.output_label, output_label),
        "challenger_version": challenger_version,
        "challenger_output": challenger_output,
        "challenger_label": fit(predictions.c.challenger_label, challenger_label),
        "fallback": fallback,
        "latency_ms": float(latency_ms),
        "batch_id": batch_id,
        "idempotency_key": idempotency_key,
    }


class AlreadyAnswered(Exception):
    """Raised inside a log write by its `also` step when the same request was already
    answered (an API idempotency key): the write is rolled back and nothing is logged."""


class PredictionLog:
    """Append-only log of every prediction, written before the answer is returned.

    Each write also adds the rows to the monitoring aggregates (monitor/), in the same
    transaction, binned by the answering version's card: `segments` are the spec's segment
    columns, `cards` gives a version's card (to bin outcomes of any version).
    """

    def __init__(self, database: Database, segments=(), cards=None):
        self.database = database
        self.segments = list(segments)
        self.cards = cards
        self._binnings: dict[str, Binning] = {}

    @classmethod
    def of(cls, database: Database, spec, registry) -> PredictionLog:
        """The log as the app writes it: segmented by the spec's [monitor] segments,
        outcomes binned by the registry's cards (the app, replay, outcomes and rebuild)."""
        return cls(database, spec.monitor.segments, registry.card)

    def binning(self, card) -> Binning:
        cached = self._binnings.get(card.version)
        if cached is None:
            cached = self._binnings[card.version] = Binning(card, self.segments)
        return cached

    def binning_of(self, version: str) -> Binning | None:
        if version in self._binnings or self.cards is None:
            return self._binnings.get(version)
        try:
            return self.binning(self.cards(version))
        except (
            Exception
        ):  # a version whose card is gone: its outcomes are kept, unbinned
            return None

    @property
    def engine(self):
        return self.database.engine

    def record(self, *, card=None, **fields) -> str:
        """Write one row (see log_row for its fields) in its own short transaction, with
        its aggregates when the answering card is given; return its request id."""
        row = log_row(**fields)
        self.write([row], card)
        return row["request_id"]

    def write(self, rows: list[dict], card=None, also=None) -> None:
        """Insert log_row rows and, with the answering card, their aggregates: one
        transaction, so a row is never logged without being counted, nor counted twice.

        `also(connection)` runs in the same transaction (an API answer kept under its
        idempotency key): if it raises, nothing is logged.
        """
        deltas = (
            field_deltas(self.binning(card), rows, Deltas())
            if card is not None
            else None
        )
        with self.engine.begin() as connection:
            insert(connection, rows)
            if deltas:
                aggregates.write(connection, deltas)
            if also is not None:
                also(connection)

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
        """Write the challenger's answers into their rows (once: filled rows are kept), and
        count its agreement with the answer in the same transaction."""
        if not answers:
            return 0
        c = predictions.c
        by_id = {a.request_id: a for a in answers}
        with self.engine.begin() as connection:
            pending = connection.execute(
                sa.select(predictions)
                .where(c.request_id.in_(list(by_id)))
                .where(c.challenger_version == version)
                .where(c.challenger_output.is_(None))
            ).mappings()
            scored = [(r, by_id[r["request_id"]]) for r in pending]
            if not scored:
                return 0
            connection.execute(
                predictions.update()
                .where(c.request_id == sa.bindparam("rid"))
                .where(c.challenger_output.is_(None))
                .values(
                    challenger_output=sa.bindparam("out"),
                    challenger_label=sa.bindparam("lab"),
                ),
                [
                    {
                        "rid": a.request_id,
                        "out": float(a.output),
                        "lab": fit(c.challenger_label, a.label),
                    }
                    for _, a in scored
                ],
            )
            deltas = Deltas()
            for champion in {r["model_version"] for r, _ in scored}:
                challenger_deltas(
                    champion,
                    version,
                    [
                        (Logged.from_row(r), float(a.output), a.label)
                        for r, a in scored
                        if r["model_version"] == champion
                    ],
                    deltas,
                )
            aggregates.write(connection, deltas)
        return len(scored)

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

    def find_keys(self, keys: list[str]) -> dict[str, list[str]]:
        """Logged request ids per event key (a key replayed twice names two rows)."""
        found: dict[str, list[str]] = {}
        c = predictions.c
        asked = {stored_key(key): key for key in keys}
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(asked)):
                query = sa.select(c.event_key, c.request_id).where(
                    c.event_key.in_(chunk)
                )
                for key, request_id in connection.execute(query.order_by(c.id)):
                    found.setdefault(asked[key], []).append(request_id)
        return found

    def _present(self, column: sa.Column, ids: list[str]) -> set[str]:
        """Which of these ids `column` holds, a chunk of ids per query."""
        seen: set[str] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(set(ids))):
                query = sa.select(column).where(column.in_(chunk))
                seen.update(connection.execute(query).scalars())
        return seen

    def logged(self, request_ids: list[str]) -> set[str]:
        """Which of these request ids the log holds."""
        return self._present(predictions.c.request_id, request_ids)

    def attached(self, request_ids: list[str]) -> set[str]:
        """Which of these predictions already have an outcome."""
        return self._present(outcomes.c.request_id, request_ids)

    def attach_outcomes(self, actuals: dict[str, str], origin: str) -> int:
        """Store each prediction's outcome once, and add it to the realized aggregates in
        the same transaction; already attached or unknown request ids change nothing."""
        attached = 0
        for chunk in _chunks(sorted(actuals)):
            with self.engine.begin() as connection:
                attached += self._attach(connection, chunk, actuals, origin[:200])
        return attached

    def _attach(self, connection, ids: list[str], actuals: dict, origin: str) -> int:
        c = predictions.c
        rows = connection.execute(
            sa.select(predictions)
            .where(c.request_id.in_(ids))
            .where(
                c.request_id.not_in(
                    sa.select(outcomes.c.request_id).where(
                        outcomes.c.request_id.in_(ids)
                    )
                )
            )
        ).mappings()
        rows = list(rows)
        if not rows:
            return 0
        now = _now()
        connection.execute(
            outcomes.insert(),
            [
                {
                    "request_id": r["request_id"],
                    "actual": str(actuals[r["request_id"]])[:128],
                    "origin": origin,
                    "attached_at": now,
                }
                for r in rows
            ],
        )
        deltas = Deltas()
        for version in {r["model_version"] for r in rows}:
            binning = self.binning_of(version)
            if binning is not None:
                pairs = [
                    (Logged.from_row(r), str(actuals[r["request_id"]]))
                    for r in rows
                    if r["model_version"] == version
                ]
                outcome_deltas(binning, pairs, deltas)
        aggregates.write(connection, deltas)
        return len(rows)
