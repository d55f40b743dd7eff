"""The prediction log: SQLite with WAL (and PostgreSQL, tests/scale), unique request ids, one row per prediction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data.db import Database
from data.stores import PredictionLog
from model.service import ModelService, PredictionNotLogged


@pytest.fixture()
def log(database_url):
    return PredictionLog(Database(database_url).migrate())


def test_sqlite_runs_in_wal_with_full_sync(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'log.db'}").migrate()
    with database.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000


def test_record_round_trip(log):
    first = log.record(
        source="api",
        model_version="v1",
        model_sha256="ab" * 32,
        inputs={"hour": 5.0},
        output=0.25,
        latency_ms=3.5,
        user="ana",
    )
    second = log.record(
        source="whatif",
        model_version="v1",
        model_sha256="ab" * 32,
        inputs={"hour": 6.0},
        output=0.3,
        latency_ms=2.0,
    )
    assert first != second and log.count() == 2
    newest, oldest = log.recent(2)
    assert newest["request_id"] == second and oldest["user"] == "ana"
    assert '"hour": 5.0' in oldest["inputs"] and oldest["output"] == 0.25


def test_every_service_prediction_is_logged_with_its_version(app_context, log):
    source = app_context.service
    service = ModelService(source.pipeline, source.card, source.whatif_feature, log)
    answer = service.predict(service.defaults(), source="api", user="bo")
    row = log.recent(1)[0]
    assert row["request_id"] == answer.request_id
    assert row["model_version"] == service.version
    assert row["model_sha256"] == service.card.sha256
    assert row["output"] == pytest.approx(answer.value)


def test_no_answer_when_the_log_cannot_be_written(app_context, tmp_path):
    source = app_context.service
    database = Database(f"sqlite:///{tmp_path / 'missing' / 'log.db'}")
    broken = PredictionLog(database)
    service = ModelService(source.pipeline, source.card, source.whatif_feature, broken)
    with pytest.raises(PredictionNotLogged) as refused:
        service.predict(service.defaults(), request_id="r-1")
    assert refused.value.request_id == "r-1"
    assert "unable to open database file" in database.write_problem()


def test_long_texts_fit_their_columns(log):
    """SQLite keeps any length in a VARCHAR; PostgreSQL refuses a longer value, so the log
    cuts names and labels to their columns, and a long event key still matches itself."""
    key = "UA|" + "9" * 400
    request_id = log.record(
        source="batch",
        model_version="v1",
        model_sha256="ab" * 32,
        inputs={},
        output=0.5,
        output_label="L" * 300,
        latency_ms=1.0,
        user="nightly-" + "x" * 100,
        event_key=key,
    )
    row = log.recent(1)[0]
    assert row["user"] == ("nightly-" + "x" * 100)[:64]
    assert row["output_label"] == "L" * 128
    assert len(row["event_key"]) <= 200
    assert log.find_keys([key, key[:-1]]) == {key: [request_id]}
