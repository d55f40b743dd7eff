"""What only PostgreSQL has: the tests here run on the session's cluster, as the app would."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa

from data.db import Database
from data.stores import PredictionLog
from data.tables import outcomes, write_probe


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


def test_log_ids_go_past_32_bits(database_url):
    """SQLite's ids are 64-bit; PostgreSQL's SERIAL was not (revision 0009)."""
    log = PredictionLog(Database(database_url).migrate())
    with log.engine.begin() as connection:
        connection.exec_driver_sql("SELECT setval('predictions_id_seq', 2147483647)")
        connection.exec_driver_sql("SELECT setval('outcomes_id_seq', 2147483647)")
    request_id = log.record(
        source="api",
        model_version="v1",
        model_sha256="0" * 64,
        inputs={},
        output=0.5,
        latency_ms=1.0,
    )
    assert log.recent(1)[0]["id"] == 2**31
    assert log.attach_outcomes({request_id: "1"}, "test") == 1
    with log.engine.connect() as connection:
        assert connection.execute(sa.select(outcomes.c.id)).scalar() == 2**31


def test_a_downgrade_takes_the_ids_back_to_32_bits(database_url):
    from alembic import command
    from alembic.config import Config

    from data.db import MIGRATIONS

    database = Database(database_url).migrate()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    assert _id_type(database) == "integer"
    assert database.migrate().revision() == "0009" and _id_type(database) == "bigint"


def _id_type(database) -> str:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_name = 'predictions' AND column_name = 'id'"
        ).scalar()


def test_a_server_that_does_not_answer_is_a_problem_not_a_hang():
    """A port that takes the connection and never speaks (a hung server, a black hole):
    /readyz's probe says so after the connect timeout instead of waiting forever."""
    import socket

    from data import db

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        database = Database(f"postgresql+psycopg://x:y@127.0.0.1:{port}/none")
        started = time.perf_counter()
        problem = database.write_problem()
        waited = time.perf_counter() - started
    assert problem is not None and "timeout" in problem.lower(), problem
    assert waited < db.CONNECT_TIMEOUT_S * 2 + 3
