"""The app end to end on PostgreSQL: migrations at start, sign-in, answers logged.

In process (the factory and the Flask test client) on an empty database, then real
gunicorn with two workers on loopback, as the Procfile runs it with a DATABASE_URL.
"""

from __future__ import annotations

import requests
import sqlalchemy as sa

from data.aliases import AliasStore
from data.api_keys import ApiKeyStore
from data.db import Database
from data.stores import PredictionLog
from data.tables import batches, monitor_traffic, predictions
from data.users import UserStore
from tests.conftest import _quiet, add_test_users
from tests.integration.dash_requests import find_output, pattern_inputs, post_callback
from tests.integration.dash_requests import sign_in as sign_in_client
from tests.reliability.harness import Gunicorn, answered_request_id, predict, signed_in

HEAD = "0009"
BATCH_ROWS = 20_000


def test_the_app_migrates_an_empty_database_and_logs_a_signed_in_prediction(
    small_settings, database_url
):
    from app import build_context, create_app

    settings = small_settings.with_overrides(database_url=database_url)
    ctx = build_context(settings, progress=_quiet)
    assert ctx.database.dialect == "postgresql"
    assert ctx.database.revision() == HEAD
    add_test_users(ctx.users)
    client = sign_in_client(
        create_app(settings, context=ctx).server.test_client(), "ana"
    )
    output = find_output(client, "predict-result.children")
    changed = ['{"column":"hour","type":"predict-input"}.value']
    inputs = [pattern_inputs("predict-input", ctx.service.defaults())]
    response = post_callback(client, output, inputs, changed)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    (row,) = ctx.log.recent(5)
    assert row["user"] == "ana" and row["source"] == "whatif"
    assert row["request_id"] == response.headers["X-Request-ID"]
    assert row["created_at"].tzinfo is not None  # timestamptz, read back aware
    assert client.get("/readyz").get_json()["database"] is True


def _prepare(database_url: str, source_home) -> str:
    """Migrate, add the test users and copy the sample home's aliases; an API key."""
    database = Database(database_url).migrate()
    add_test_users(UserStore(database))
    source = Database(f"sqlite:///{source_home / 'flightdeck.db'}")
    aliases = AliasStore(database, "flights")
    for alias, version in AliasStore(source, "flights").all().items():
        aliases.move(alias, version, "tests", "copied")
    key = ApiKeyStore(database).create("ana", "scale test")[1]
    database.dispose()
    return key


def test_gunicorn_on_postgresql_serves_and_logs_every_answer(
    small_settings, app_context, database_url, tmp_path
):
    from tests.reliability.harness import copy_home

    home = copy_home(small_settings.home, tmp_path / "home")
    key = _prepare(database_url, small_settings.home)
    server = Gunicorn(home, DATABASE_URL=database_url).start()
    try:
        server.wait_for_workers(2)
        ready = requests.get(server.url + "/readyz", timeout=10).json()
        client = signed_in(server.url, "ana")
        answered = [
            answered_request_id(predict(client, app_context.service.defaults()))
            for _ in range(4)
        ]
        api = [
            requests.post(
                server.url + "/api/v1/predict",
                json=app_context.service.defaults(),
                headers={
                    "Authorization": f"Bearer {key}",
                    "Idempotency-Key": "scale-test-1",
                    "Connection": "close",
                },
                timeout=30,
            )
            for _ in range(2)
        ]
    finally:
        server.stop()
    assert ready["database"] is True and ready["status"] == "ready", ready
    assert all(answered), server.server_log()[-2000:]
    assert [r.status_code for r in api] == [200, 200]
    assert api[1].headers.get("Idempotent-Replayed") == "true"
    log = PredictionLog(Database(database_url))
    assert log.logged(answered) == set(answered)
    assert (
        log.count("whatif") == 4 and log.count("api") == 1
    )  # the retry logged nothing
    with log.engine.connect() as connection:
        counted = connection.execute(sa.select(sa.func.sum(monitor_traffic.c.n)))
        assert counted.scalar() == 5  # every answer in the aggregates too
    log.database.dispose()


def test_the_batch_cli_scores_into_postgresql(
    small_settings, flights_spec, database_url, tmp_path
):
    """`python -m model.batch --to-db` with a DATABASE_URL: every scored row logged and
    written to a table beside the app's, a long --user cut to its column."""
    from tests.integration.cli import module_runner
    from tests.integration.test_batch_run import flights_csv
    from tests.reliability.harness import copy_home

    home = copy_home(small_settings.home, tmp_path / "home")
    _prepare(database_url, small_settings.home)
    source = tmp_path / "flights.csv"
    source.write_bytes(flights_csv(small_settings, flights_spec, BATCH_ROWS))
    run = module_runner("model.batch", home, timeout=300)
    user = "nightly-" + "x" * 80
    env = {"DATABASE_URL": database_url}
    done = run(str(source), "--user", user, "--to-db", "scored", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    database = Database(database_url)
    with database.engine.connect() as connection:
        scored = connection.execute(sa.text("SELECT count(*) FROM scored")).scalar()
        logged = connection.execute(
            sa.select(sa.func.count()).where(predictions.c.user == user[:64])
        ).scalar()
        record = connection.execute(sa.select(batches)).mappings().one()
    assert scored == logged == record["rows_scored"] > BATCH_ROWS * 0.95
    assert record["status"] == "done" and record["user"] == user[:64]
    again = run(str(source), "--to-db", "scored", env=env)
    assert again.returncode == 1 and "table scored exists" in again.stderr
    database.dispose()
