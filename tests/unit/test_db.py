"""The database: Alembic migrations (fresh and from a pre-Alembic log) and the write probe.

Tests taking `database_url` also run on PostgreSQL (tests/scale); the others are SQLite's.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest
import sqlalchemy as sa

from data.db import Database, DatabaseError
from data.stores import PredictionLog
from data.users import UserStore

HEAD = "0009"


def _old_predictions_table(metadata: sa.MetaData) -> sa.Table:
    """The log's table exactly as data/stores.py created it before migrations (f75e8f0)."""
    return sa.Table(
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


def test_fresh_database_is_migrated_to_head(database_url):
    database = Database(database_url).migrate()
    assert database.revision() == HEAD
    tables = set(sa.inspect(database.engine).get_table_names())
    assert {"predictions", "users", "write_probe", "alembic_version"} <= tables
    database.migrate()  # a second start changes nothing
    assert database.revision() == HEAD


def test_a_log_from_before_migrations_is_upgraded_with_its_rows(database_url):
    url = database_url
    old = sa.MetaData()
    table = _old_predictions_table(old)
    engine = sa.create_engine(url)
    old.create_all(engine)
    with engine.begin() as connection:
        for n in range(3):
            connection.execute(
                table.insert(),
                {
                    "request_id": f"old-{n}",
                    "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    "source": "whatif",
                    "model_version": "v0",
                    "model_sha256": "0" * 64,
                    "inputs": "{}",
                    "output": 0.1 * n,
                    "latency_ms": 1.0,
                },
            )
    engine.dispose()

    database = Database(url).migrate()
    assert database.revision() == HEAD
    log = PredictionLog(database)
    assert log.request_ids() == {"old-0", "old-1", "old-2"}
    log.record(
        source="whatif",
        model_version="v1",
        model_sha256="1" * 64,
        inputs={},
        output=0.5,
        latency_ms=1.0,
    )
    assert log.count() == 4
    assert UserStore(database).add("ana", "admin", "a long password").role == "admin"


def test_the_sqlite_folder_is_made(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'var' / 'new' / 'flightdeck.db'}")
    assert database.migrate().revision() == HEAD


def test_an_unusable_database_is_one_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(DatabaseError) as caught:
        Database(f"sqlite:///{tmp_path / 'a-file' / 'x.db'}").migrate()
    message = str(caught.value)
    assert "cannot be used" in message and "a-file" in message
    assert "\n" not in message


def test_password_is_hidden_in_messages():
    database = Database("postgresql+psycopg://flight:s3cret@db.example:5432/deck")
    assert "s3cret" not in database.shown_url and "***" in database.shown_url


def test_write_probe_sees_a_lock_and_its_release(tmp_path):
    path = tmp_path / "locked.db"
    database = Database(f"sqlite:///{path}").migrate()
    assert database.write_problem() is None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        problem = database.write_problem()
        waited = time.perf_counter() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert problem == "database is locked"
    assert waited < 3  # the probe's short lock wait, not the 5 s busy timeout
    assert database.write_problem() is None


def test_write_probe_sees_a_read_only_database(tmp_path):
    path = tmp_path / "ro.db"
    Database(f"sqlite:///{path}").migrate().dispose()
    read_only = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert "readonly" in read_only.write_problem()


def test_the_probe_leaves_no_rows(database_url):
    database = Database(database_url).migrate()
    for _ in range(3):
        assert database.write_problem() is None
    with database.engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT count(*) FROM write_probe").scalar() == 0
        )


def test_the_probe_keeps_the_busy_timeout(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'p.db'}").migrate()
    assert database.write_problem() is None
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
