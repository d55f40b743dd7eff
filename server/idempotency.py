"""API idempotency keys: a retried request with the same key gets the stored answer.

The claim row (user, key, body hash, response) is inserted by score_many's `also` step,
inside the transaction that logs the predictions, so an answer is stored exactly when its
rows are logged. A second request that loses the race fails on the primary key, which
rolls its own log rows back; it then reads and returns the winner's answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Database
from data.stores import AlreadyAnswered
from data.tables import idempotency_keys
from model.service import PredictionNotLogged

MAX_KEY_LENGTH = 128
HEADER = "Idempotency-Key"


class ClaimTaken(AlreadyAnswered, PredictionNotLogged):
    """The key was claimed by a concurrent request; nothing of this one is logged.

    Also a PredictionNotLogged so that ServingModels.predict_many passes it through
    rather than taking it for a failing model and falling back.
    """

    def __init__(self):
        PredictionNotLogged.__init__(self, "this idempotency key was just answered")


@dataclass(frozen=True)
class Stored:
    """A kept answer: the hash of the body it answered, its status and JSON body."""

    body_sha256: str
    status: int
    response: dict


def body_sha256(payload) -> str:
    """A hash of the parsed JSON body, independent of key order and whitespace."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def key_problem(key: str) -> str | None:
    """Why an Idempotency-Key header cannot be used, or None."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        return f"{HEADER} must be 1-{MAX_KEY_LENGTH} printable characters"
    return None


def find(database: Database, user: str, key: str) -> Stored | None:
    """The answer kept under (user, key), if any."""
    query = sa.select(idempotency_keys).where(
        idempotency_keys.c.user == user, idempotency_keys.c.key == key
    )
    with database.engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return Stored(row.body_sha256, int(row.status), json.loads(row.response))


def claim(
    connection, user: str, key: str, digest: str, status: int, response: dict
) -> None:
    """Store this answer in the log's transaction, or raise ClaimTaken."""
    try:
        connection.execute(
            idempotency_keys.insert().values(
                user=user,
                key=key,
                body_sha256=digest,
                status=status,
                response=json.dumps(response),
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    except sa.exc.IntegrityError:
        raise ClaimTaken() from None
