"""Predict's scenarios: a form's validated inputs saved under a name, per user.

A scenario's id is 12 random url-safe characters: its link is how it is shared, so anyone
signed in who is sent it may open it (the link is the permission, as with a shared view).
Only its owner lists it or deletes it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Database
from data.tables import scenarios

NAME_LIMIT = 80
MAX_PER_USER = 100
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{12}$")


class ScenarioError(ValueError):
    """A scenario cannot be saved or found; the message is in the user's words."""


@dataclass(frozen=True)
class Scenario:
    id: str
    user: str
    name: str
    inputs: dict
    model_version: str | None
    created_at: dt.datetime


def is_scenario_id(text: object) -> bool:
    return isinstance(text, str) and bool(ID_PATTERN.match(text))


def clean_scenario_name(name: object) -> str:
    """1-80 printable characters, spaces at the ends dropped."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned:
        raise ScenarioError("give the scenario a name")
    if len(cleaned) > NAME_LIMIT or not cleaned.isprintable():
        raise ScenarioError(f"a name is at most {NAME_LIMIT} printable characters")
    return cleaned


def _scenario(row) -> Scenario:
    return Scenario(
        row.id,
        row.user,
        row.name,
        json.loads(row.inputs),
        row.model_version,
        row.created_at,
    )


class ScenarioStore:
    """Save, open, list and delete scenarios; each write is one short transaction."""

    def __init__(self, database: Database):
        self.database = database

    def save(
        self, user: str, name: str, inputs: dict, model_version: str | None
    ) -> Scenario:
        """A new scenario of validated `inputs` (ScenarioError for a bad name or too many)."""
        name = clean_scenario_name(name)
        row = {
            "id": secrets.token_urlsafe(9),
            "user": str(user)[:64],
            "name": name,
            "inputs": json.dumps(inputs, sort_keys=False),
            "model_version": model_version,
            "created_at": dt.datetime.now(dt.UTC),
        }
        with self.database.engine.begin() as connection:
            count = connection.execute(
                sa.select(sa.func.count()).where(scenarios.c.user == row["user"])
            ).scalar()
            if count >= MAX_PER_USER:
                raise ScenarioError(
                    f"you have {MAX_PER_USER} scenarios: delete some to save more"
                )
            connection.execute(scenarios.insert().values(**row))
        return self.get(row["id"])

    def get(self, scenario_id: object) -> Scenario | None:
        """One scenario by its id (from a link), or None."""
        if not is_scenario_id(scenario_id):
            return None
        query = sa.select(scenarios).where(scenarios.c.id == scenario_id)
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return _scenario(row) if row else None

    def list(self, user: str, limit: int = MAX_PER_USER) -> list[Scenario]:
        """A user's scenarios, newest first."""
        query = (
            sa.select(scenarios)
            .where(scenarios.c.user == user)
            .order_by(scenarios.c.created_at.desc(), scenarios.c.id)
            .limit(max(1, min(int(limit), MAX_PER_USER)))
        )
        with self.database.engine.connect() as connection:
            return [_scenario(row) for row in connection.execute(query)]

    def delete(self, user: str, scenario_id: object) -> bool:
        """Delete one of the user's own scenarios; False when there is no such one of theirs."""
        if not is_scenario_id(scenario_id):
            return False
        with self.database.engine.begin() as connection:
            done = connection.execute(
                scenarios.delete().where(
                    scenarios.c.id == scenario_id, scenarios.c.user == user
                )
            )
        return done.rowcount == 1
