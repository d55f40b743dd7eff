"""What only PostgreSQL has: the tests here run on the session's cluster, as the app would."""

from __future__ import annotations

import time

import sqlalchemy as sa

from data.db import Database


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
