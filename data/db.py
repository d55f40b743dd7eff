"""The app's SQL database: one engine per process, a schema managed by Alembic, a write probe.

SQLite (the default) runs in WAL mode with synchronous=FULL and a busy timeout; any other
SQLAlchemy URL (DATABASE_URL) works too. An engine is never carried across fork: a forked
worker builds its own, and start-up disposes of the parent's before workers are forked.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from data.tables import write_probe

log = logging.getLogger("flightdeck.db")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"  # the schema as it was before Alembic managed it
BUSY_TIMEOUT_MS = 5000
PROBE_TIMEOUT_MS = 250
CONNECT_TIMEOUT_S = 5  # PostgreSQL: a server that does not answer (readiness, start-up)


class DatabaseError(RuntimeError):
    """The database cannot be opened or brought up to date."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _postgresql_utc(dbapi_connection, _record) -> None:
    """Sessions in UTC, as SQLite's times are: a naive time written (a replayed flight's
    scheduled time) means UTC, and times come back in UTC, whatever the server's zone."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.commit()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, full sync and a busy timeout on every
    connection; PostgreSQL sessions run in UTC, and a server that does not answer is an
    error after CONNECT_TIMEOUT_S (libpq waits forever), unless the URL says otherwise."""
    parsed = sa.make_url(url)
    connect_args = {}
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in (
        "psycopg",
        "psycopg2",
    ):
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    engine = sa.create_engine(
        url, pool_pre_ping=not url.startswith("sqlite"), connect_args=connect_args
    )
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        sa.event.listen(engine, "connect", _postgresql_utc)
    return engine


def first_line(exc: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's SQL echo and background link."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:200]


class Database:
    """One database URL; hands each process (and each forked worker) its own engine."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    @property
    def shown_url(self) -> str:
        """The URL with any password hidden, for messages."""
        try:
            return sa.make_url(self.url).render_as_string(hide_password=True)
        except sa.exc.ArgumentError:
            return "(unparseable DATABASE_URL)"

    @property
    def engine(self) -> Engine:
        """This process's engine, built on first use (thread-safe)."""
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                self._engine = make_engine(self.url)
                self._pid = os.getpid()
            return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> Database:
        """Bring the schema to the newest revision; a pre-Alembic log is adopted first."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            self.make_sqlite_folder()
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                tables = set(sa.inspect(connection).get_table_names())
                if "alembic_version" not in tables and "predictions" in tables:
                    command.stamp(config, FIRST_REVISION)
                before = self._current(connection)
                command.upgrade(config, "head")
                after = self._current(connection)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            raise DatabaseError(
                f"the database at {self.shown_url} cannot be used: {first_line(exc)}"
            ) from exc
        if before != after:
            log.info("database %s: schema %s -> %s", self.shown_url, before, after)
        return self

    @staticmethod
    def _current(connection) -> str | None:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(
            sa.text("SELECT version_num FROM alembic_version")
        ).scalar()

    def make_sqlite_folder(self) -> None:
        """SQLite makes the file but not its folder (var/ on a fresh clone)."""
        url = sa.make_url(self.url)
        path = url.database or ""
        if url.get_backend_name() == "sqlite" and path not in ("", ":memory:"):
            if not path.startswith("file:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)

    def revision(self) -> str | None:
        """The schema revision the database is at (None before any migration)."""
        with self.engine.connect() as connection:
            return self._current(connection)

    def write_problem(self) -> str | None:
        """None when the database takes a write right now, else why not (short).

        Inserts a probe row and rolls it back, waiting at most PROBE_TIMEOUT_MS for a lock:
        this catches a locked, read-only or unreachable database, not only a dead one.
        """
        try:
            with self.engine.connect() as connection:
                self._lock_wait(connection, PROBE_TIMEOUT_MS)
                try:
                    transaction = connection.begin()
                    try:
                        connection.execute(
                            write_probe.insert(),
                            {"checked_at": dt.datetime.now(dt.UTC)},
                        )
                    finally:
                        transaction.rollback()
                finally:
                    self._lock_wait(connection, None)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            return first_line(exc)
        return None

    def _lock_wait(self, connection, milliseconds: int | None) -> None:
        """Set how long this connection waits for a lock (None: back to the default)."""
        if self.dialect == "sqlite":
            wait = BUSY_TIMEOUT_MS if milliseconds is None else milliseconds
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
        elif self.dialect == "postgresql":
            connection.exec_driver_sql(
                "RESET lock_timeout"
                if milliseconds is None
                else f"SET lock_timeout = {int(milliseconds)}"
            )
        connection.commit()

    def dispose(self) -> None:
        """Close this process's connections (before forking workers)."""
        with self._lock:
            if self._engine is not None and self._pid == os.getpid():
                self._engine.dispose()
            self._engine, self._pid = None, None
