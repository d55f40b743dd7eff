"""Model aliases in the database: which version is champion or challenger, and every move.

One short transaction per move writes the alias and its history row together, so every
worker and every instance on the database agrees, and nothing is half-recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Database
from data.tables import alias_history, fit, model_aliases

ALIASES = ("champion", "challenger")


class AliasError(ValueError):
    """The move cannot be made (unknown alias, nothing to roll back to)."""


@dataclass(frozen=True)
class AliasMove:
    """One recorded change of an alias."""

    id: int
    alias: str
    from_version: str | None
    to_version: str | None
    user: str
    note: str
    action: str
    at: dt.datetime


class AliasStore:
    """The aliases of one dataset's models."""

    def __init__(self, database: Database, dataset: str):
        self.database = database
        self.dataset = fit(model_aliases.c.dataset, dataset)

    def get(self, alias: str) -> str | None:
        return self.all().get(alias)

    def all(self) -> dict[str, str]:
        query = sa.select(model_aliases.c.alias, model_aliases.c.version).where(
            model_aliases.c.dataset == self.dataset
        )
        with self.database.engine.connect() as connection:
            return {alias: version for alias, version in connection.execute(query)}

    def holders(self) -> dict[str, tuple[str, str, dt.datetime]]:
        """Each alias: its version, who set it and when."""
        columns = model_aliases.c
        query = sa.select(
            columns.alias, columns.version, columns.set_by, columns.set_at
        )
        with self.database.engine.connect() as connection:
            rows = connection.execute(query.where(columns.dataset == self.dataset))
            return {alias: (version, by, at) for alias, version, by, at in rows}

    def state(self) -> int:
        """The id of the latest move: changes whenever any alias moves (cheap to poll)."""
        query = sa.select(sa.func.max(alias_history.c.id)).where(
            alias_history.c.dataset == self.dataset
        )
        with self.database.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def move(
        self, alias: str, version: str | None, user: str, note: str = "", action="set"
    ) -> str | None:
        """Point `alias` at `version` (None clears it), recorded; returns the old version."""
        if alias not in ALIASES:
            raise AliasError(f"unknown alias '{alias}'; aliases: {', '.join(ALIASES)}")
        now, user = dt.datetime.now(dt.UTC), fit(alias_history.c.user, user)
        key = (model_aliases.c.dataset == self.dataset) & (
            model_aliases.c.alias == alias
        )
        with self.database.engine.begin() as connection:
            self._one_move_at_a_time(connection)
            old = connection.execute(
                sa.select(model_aliases.c.version).where(key)
            ).scalar()
            connection.execute(model_aliases.delete().where(key))
            if version is not None:
                connection.execute(
                    model_aliases.insert(),
                    {
                        "dataset": self.dataset,
                        "alias": alias,
                        "version": version,
                        "set_by": user,
                        "set_at": now,
                    },
                )
            connection.execute(
                alias_history.insert(),
                {
                    "dataset": self.dataset,
                    "alias": alias,
                    "from_version": old,
                    "to_version": version,
                    "user": user,
                    "note": note[:500],
                    "action": action,
                    "at": now,
                },
            )
        return old

    def _one_move_at_a_time(self, connection) -> None:
        """Hold this dataset's moves to one at a time until the transaction ends, so each
        reads the version the last one wrote: a PostgreSQL advisory lock (two concurrent
        promotes otherwise both insert the alias), or SQLite's write lock taken before the
        read (a SELECT first runs outside the transaction and reads a stale version)."""
        if connection.dialect.name == "postgresql":
            digest = hashlib.sha256(f"flightdeck.aliases:{self.dataset}".encode())
            lock = int.from_bytes(digest.digest()[:8], "big", signed=True)
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(lock)))
        else:
            connection.execute(
                model_aliases.update().where(sa.false()).values(version="")
            )

    def history(self, limit: int = 50) -> list[AliasMove]:
        """The latest moves first."""
        query = (
            sa.select(alias_history)
            .where(alias_history.c.dataset == self.dataset)
            .order_by(alias_history.c.id.desc())
            .limit(limit)
        )
        with self.database.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            AliasMove(**{k: v for k, v in row.items() if k != "dataset"})
            for row in rows
        ]

    def previous_champion(self) -> str | None:
        """The champion before the current one: what a rollback returns to.

        Walks back past rollbacks, so rolling back twice goes two versions back.
        """
        current = self.get("champion")
        moves = [m for m in reversed(self.history(1000)) if m.alias == "champion"]
        stack: list[str] = []
        for m in moves:
            if m.action == "rollback":
                if stack:
                    stack.pop()
            elif m.from_version is not None:
                stack.append(m.from_version)
        candidates = [v for v in reversed(stack) if v != current]
        return candidates[0] if candidates else None
