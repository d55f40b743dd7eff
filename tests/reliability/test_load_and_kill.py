"""Load and a kill -9 under load: every acknowledged prediction is in the log, nothing else is lost.

Figures go to the test output (-s or the captured log) for the closing note.
"""

from __future__ import annotations

import json
import os
import signal
import time

import requests

from tests.reliability.load import run_clients


def _integrity(server) -> str:
    with server.database.engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA integrity_check").scalar()


def test_load_20_clients_20_seconds_no_errors_every_answer_logged(
    start_gunicorn, app_context
):
    server = start_gunicorn()
    tally = run_clients(server.url, app_context.service.defaults(), 20, 20)
    logged = server.log.request_ids()
    print(
        f"\n[load] {tally.requests} requests in {tally.seconds:.1f}s, "
        f"{len(tally.acked)} answered ({tally.rate:.0f}/s), errors {dict(tally.errors)}, "
        f"{server.log.count('whatif')} rows logged"
    )
    assert not tally.errors
    assert len(tally.acked) > 100
    assert len(set(tally.acked)) == len(tally.acked)
    assert server.log.count("whatif") == len(tally.acked)
    assert logged == set(tally.acked)
    assert "Traceback" not in server.server_log()
    # The access log names each prediction's request id and user, as its row does.
    access = [
        json.loads(line)
        for line in server.server_log().splitlines()
        if line.startswith("{") and '"/_dash-update-component"' in line
    ]
    by_id = {entry["request_id"]: entry for entry in access}
    for row in server.log.recent(50):
        assert by_id[row["request_id"]]["user"] == row["user"] == "ana"
        assert by_id[row["request_id"]]["status"] == 200


def test_kill_9_a_worker_under_load_loses_no_acknowledged_prediction(
    start_gunicorn, app_context
):
    server = start_gunicorn()
    killed = []

    def kill_one_worker():
        time.sleep(4)
        victim = server.workers()[0]
        os.kill(victim.pid, signal.SIGKILL)
        killed.append(victim.pid)

    tally = run_clients(
        server.url, app_context.service.defaults(), 20, 12, during=kill_one_worker
    )
    logged = server.log.request_ids()
    missing = set(tally.acked) - logged
    print(
        f"\n[kill] worker {killed} killed at 4s; {tally.requests} requests, "
        f"{len(tally.acked)} answered, errors {dict(tally.errors)}; {len(logged)} rows "
        f"logged ({len(logged) - len(set(tally.acked) & logged)} logged but never "
        f"answered), {len(missing)} answered but missing"
    )
    assert killed and len(tally.acked) > 50
    assert not missing
    assert set(tally.errors) <= {
        "connection: ConnectionError",
        "connection: truncated answer",
    }
    assert _integrity(server) == "ok"
    server.wait_for_workers(2)
    assert len(server.workers()) == 2
    assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
