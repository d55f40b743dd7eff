"""Users and their roles, in the app's database; passwords hashed by werkzeug.security.

Roles are ordered: viewer < analyst < admin. Each user has a session token that is part of
their login cookie; changing the password or removing the user changes it, which ends every
session they had.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from data.db import Database
from data.tables import api_keys, users

ROLES = ("viewer", "analyst", "admin")
SESSION_CACHE_SECONDS = 2.0  # a change from another process applies within this long
CACHE_SIZE = 4096
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MIN_PASSWORD, MAX_PASSWORD = 8, 256


@functools.cache
def _dummy_hash() -> str:
    """Checked when the name is unknown, so a wrong name takes as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16))


class ExpiringCache:
    """Answers asked for on every request, each kept for `seconds` (so a change made by
    another process applies within that long), at most `size` of them; clear() forgets."""

    def __init__(self, seconds: float, size: int = CACHE_SIZE):
        self.seconds = seconds
        self.size = size
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key, compute):
        """The kept answer for `key`, else `compute(key)`, kept from now on."""
        now = time.monotonic()
        cached = self._entries.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        value = compute(key)
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class UserError(ValueError):
    """A user operation cannot be done; the message says why, for a person."""


def role_allows(role: str | None, needed: str) -> bool:
    """Whether `role` is at least `needed` in viewer < analyst < admin."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not '{role[:20]}'")
    return role


def clean_name(name: str) -> str:
    """Names are case-insensitive: letters, digits and . _ @ -, up to 64 characters."""
    cleaned = name.strip().lower() if isinstance(name, str) else ""
    if not NAME_PATTERN.fullmatch(cleaned):
        raise UserError(
            "a user name is 1-64 letters, digits or . _ @ -, starting with a letter or digit"
        )
    return cleaned


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"a password has at most {MAX_PASSWORD} characters")
    return password


@dataclass(frozen=True)
class User:
    """A user as the app sees one: never the password hash."""

    id: int
    name: str
    role: str
    session_token: str
    created_at: dt.datetime

    @property
    def session_id(self) -> str:
        """What the login cookie holds: the user and their current session token."""
        return f"{self.id}:{self.session_token}"

    def can(self, needed: str) -> bool:
        return role_allows(self.role, needed)


def user_from_row(row) -> User:
    """A users row (any select holding its columns) as a User."""
    return User(row.id, row.name, row.role, row.session_token, row.created_at)


class UserStore:
    """Add, find, change and remove users; every write is one short transaction.

    Who a session belongs to is asked on every request, so answers are kept for
    `session_cache_s`; this store's own changes clear them at once.
    """

    def __init__(
        self, database: Database, session_cache_s: float = SESSION_CACHE_SECONDS
    ):
        self.database = database
        self._sessions = ExpiringCache(session_cache_s)

    def _one(self, where) -> User | None:
        with self.database.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(where)).first()
        return user_from_row(row) if row else None

    def get(self, name: str) -> User | None:
        try:
            return self._one(users.c.name == clean_name(name))
        except UserError:
            return None

    def by_session(self, session_id: str) -> User | None:
        """The user a login cookie names, if the cookie's token is still theirs."""
        return self._sessions.get(str(session_id)[:200], self._session_user)

    def _session_user(self, session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = self._one(users.c.id == int(user_id))
        if user is None or not secrets.compare_digest(user.session_token, token):
            return None
        return user

    def list(self) -> list[User]:
        with self.database.engine.connect() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.name))
            return [user_from_row(row) for row in rows]

    def count(self) -> int:
        with self.database.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(users)
                ).scalar()
            )

    def add(self, name: str, role: str, password: str) -> User:
        name, role = clean_name(name), check_role(role)
        now = dt.datetime.now(dt.UTC)
        row = {
            "name": name,
            "role": role,
            "password_hash": generate_password_hash(check_password(password)),
            "session_token": secrets.token_hex(16),
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.database.engine.begin() as connection:
                connection.execute(users.insert(), row)
        except sa.exc.IntegrityError:
            raise UserError(f"user '{name}' already exists") from None
        self._sessions.clear()
        return self.get(name)

    def _update(self, name: str, **values) -> User:
        name = clean_name(name)
        values["updated_at"] = dt.datetime.now(dt.UTC)
        with self.database.engine.begin() as connection:
            changed = connection.execute(
                users.update().where(users.c.name == name).values(**values)
            ).rowcount
        self._sessions.clear()
        if not changed:
            raise UserError(f"no user '{name}'")
        return self.get(name)

    def set_role(self, name: str, role: str) -> User:
        return self._update(name, role=check_role(role))

    def set_password(self, name: str, password: str) -> User:
        """A new password; every session the user had ends."""
        return self._update(
            name,
            password_hash=generate_password_hash(check_password(password)),
            session_token=secrets.token_hex(16),
        )

    def remove(self, name: str) -> None:
        name = clean_name(name)
        with self.database.engine.begin() as connection:
            # SQLite does not enforce foreign keys here: the user's API keys go first.
            owner = sa.select(users.c.id).where(users.c.name == name).scalar_subquery()
            connection.execute(api_keys.delete().where(api_keys.c.user_id == owner))
            removed = connection.execute(users.delete().where(users.c.name == name))
        self._sessions.clear()
        if not removed.rowcount:
            raise UserError(f"no user '{name}'")

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when name and password match, else None (in about the same time)."""
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            return None
        try:
            name = clean_name(name)
        except UserError:
            name = ""
        with self.database.engine.connect() as connection:
            row = connection.execute(
                sa.select(users).where(users.c.name == name)
            ).first()
        stored = row.password_hash if row else _dummy_hash()
        if check_password_hash(stored, password) and row is not None:
            return user_from_row(row)
        return None
