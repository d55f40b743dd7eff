"""Per-user API keys for the JSON API: created once (the key is shown then and never again),
listed, revoked; only a sha256 of each key is stored.

A key reads `fdk_` + 43 url-safe characters (256 random bits). Its first 12 characters are
kept as a prefix, so a person can tell their keys apart in a list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Database
from data.tables import api_keys, users
from data.users import ExpiringCache, User, UserError, clean_name, user_from_row

KEY_PREFIX = "fdk_"
PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 128
MAX_KEYS_PER_USER = 20
CACHE_SECONDS = 2.0  # a revoke from another process applies within this long
USED_EVERY_S = 60.0  # last_used_at is written at most this often per key


@dataclass(frozen=True)
class ApiKey:
    """A key as a list shows it: never the key itself."""

    id: int
    user: str
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def clean_key_name(name: str) -> str:
    """What the key is for, in a person's words: 1-64 printable characters."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > 64 or not cleaned.isprintable():
        raise UserError("a key's name is 1-64 printable characters")
    return cleaned


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ApiKeyStore:
    """Create, list, revoke and check API keys; each write is one short transaction.

    `authenticate` runs on every API request, so its answers are kept for `cache_s`
    (this store's own revokes clear them at once).
    """

    def __init__(self, database: Database, cache_s: float = CACHE_SECONDS):
        self.database = database
        self._cache = ExpiringCache(cache_s)
        self._used: dict[int, float] = {}

    def _user_id(self, connection, name: str) -> int:
        found = connection.execute(
            sa.select(users.c.id).where(users.c.name == clean_name(name))
        ).scalar()
        if found is None:
            raise UserError(f"no user '{name.strip().lower()[:64]}'")
        return int(found)

    def create(self, user: str, name: str) -> tuple[ApiKey, str]:
        """A new key for `user`: its listing, and the key itself (shown this once)."""
        name = clean_key_name(name)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.database.engine.begin() as connection:
            user_id = self._user_id(connection, user)
            active = connection.execute(
                sa.select(sa.func.count())
                .select_from(api_keys)
                .where(api_keys.c.user_id == user_id)
                .where(api_keys.c.revoked_at.is_(None))
            ).scalar()
            if active >= MAX_KEYS_PER_USER:
                raise UserError(
                    f"{user} already has {MAX_KEYS_PER_USER} active keys; revoke one first"
                )
            new_id = connection.execute(
                api_keys.insert().values(
                    user_id=user_id,
                    name=name,
                    prefix=key[:PREFIX_LENGTH],
                    key_hash=key_hash(key),
                    created_at=_now(),
                )
            ).inserted_primary_key[0]
        return self.get(int(new_id)), key

    def _select(self):
        return sa.select(api_keys, users.c.name.label("user_name")).join(
            users, users.c.id == api_keys.c.user_id
        )

    @staticmethod
    def _key(row) -> ApiKey:
        return ApiKey(
            row.id,
            row.user_name,
            row.name,
            row.prefix,
            row.created_at,
            row.last_used_at,
            row.revoked_at,
        )

    def get(self, key_id: int) -> ApiKey | None:
        with self.database.engine.connect() as connection:
            row = connection.execute(
                self._select().where(api_keys.c.id == key_id)
            ).first()
        return self._key(row) if row else None

    def list(self, user: str | None = None) -> list[ApiKey]:
        """Every key (or one user's), newest first, revoked ones included."""
        query = self._select().order_by(api_keys.c.id.desc())
        if user is not None:
            query = query.where(users.c.name == clean_name(user))
        with self.database.engine.connect() as connection:
            return [self._key(row) for row in connection.execute(query)]

    def revoke(self, key_id: int, user: str | None = None) -> ApiKey:
        """Revoke a key at once; with `user`, only if it is theirs (a page's own keys)."""
        query = (
            api_keys.update()
            .where(api_keys.c.id == key_id)
            .where(api_keys.c.revoked_at.is_(None))
        )
        with self.database.engine.begin() as connection:
            if user is not None:
                query = query.where(
                    api_keys.c.user_id == self._user_id(connection, user)
                )
            changed = connection.execute(query.values(revoked_at=_now())).rowcount
        self._cache.clear()
        if not changed:
            raise UserError(f"no active key {key_id}" + (f" of {user}" if user else ""))
        return self.get(key_id)

    def authenticate(self, key: str) -> User | None:
        """The user an active key belongs to, else None (unknown, revoked, malformed)."""
        if not isinstance(key, str) or not key.startswith(KEY_PREFIX):
            return None
        if len(key) > MAX_KEY_LENGTH:
            return None
        user, key_id = self._cache.get(key_hash(key), self._lookup)
        if key_id is not None:
            self._mark_used(key_id, time.monotonic())
        return user

    def _lookup(self, digest: str) -> tuple[User | None, int | None]:
        query = (
            sa.select(users, api_keys.c.id.label("key_id"))
            .join(api_keys, users.c.id == api_keys.c.user_id)
            .where(api_keys.c.key_hash == digest)
            .where(api_keys.c.revoked_at.is_(None))
        )
        with self.database.engine.connect() as connection:
            row = connection.execute(query).first()
        return (user_from_row(row), int(row.key_id)) if row else (None, None)

    def _mark_used(self, key_id: int, now: float) -> None:
        """Record when a key was last used, at most once a minute per key and process."""
        if self._used.get(key_id, 0.0) > now:
            return
        self._used[key_id] = now + USED_EVERY_S
        try:
            with self.database.engine.begin() as connection:
                connection.execute(
                    api_keys.update()
                    .where(api_keys.c.id == key_id)
                    .values(last_used_at=_now())
                )
        except sa.exc.OperationalError:  # a busy database never fails the request
            self._used.pop(key_id, None)
