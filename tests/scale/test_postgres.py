"""What only PostgreSQL has: the tests here run on the session's cluster, as the app would."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa

from data.db import Database
from data.tables import write_probe


def test_the_scale_tests_really_run_on_postgresql(database_url):
    database = Database(database_url).migrate()
    assert database.dialect == "postgresql"
    with database.engine.connect() as connection:
        assert "PostgreSQL" in connection.exec_driver_sql("SELECT version()").scalar()


def test_write_probe_sees_a_lock_and_its_release(database_url):
    database = Database(database_url).migrate()
    assert database.write_problem() is None
    holder = sa.create_engine(database_url)
    try:
        with holder.connect() as connection:
            connection.exec_driver_sql(
                "LOCK TABLE write_probe IN ACCESS EXCLUSIVE MODE"
            )
            started = time.perf_counter()
            problem = database.write_problem()
            waited = time.perf_counter() - started
            connection.rollback()
    finally:
        holder.dispose()
    assert problem is not None and "lock timeout" in problem
    assert waited < 3  # the probe's short lock wait
    assert database.write_problem() is None


def test_the_probe_leaves_the_lock_timeout_as_it_was(database_url):
    database = Database(database_url).migrate()
    assert database.write_problem() is None
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "0"


def test_sessions_run_in_utc_whatever_the_servers_zone(database_url):
    """The test cluster runs in Pacific/Chatham (tests/postgres.py): a naive time written
    is read as UTC, as on SQLite, and times come back in UTC."""
    database = Database(database_url).migrate()
    with database.engine.begin() as connection:
        assert connection.exec_driver_sql("SHOW timezone").scalar() == "UTC"
        connection.execute(
            write_probe.insert(), {"checked_at": dt.datetime(2013, 11, 1, 6, 0)}
        )
        stored = connection.execute(sa.select(write_probe.c.checked_at)).scalar()
        connection.rollback()
    assert stored == dt.datetime(2013, 11, 1, 6, 0, tzinfo=dt.UTC)
    assert stored.utcoffset() == dt.timedelta(0)
