"""Background jobs on Celery + Redis, with real processes: redis-server, a `celery -A worker
worker` and gunicorn serving the app over HTTP, all on one copy of the small test home.

A batch started on one web process is scored by the Celery worker; that web process is
killed mid-job; a second one, sharing Redis, the database and SECRET_KEY, answers the same
page's polls with the job's progress and result, and its Batch page lists the batch done.
"""

from __future__ import annotations

import re
import signal
import time

import numpy as np
import psutil
import pytest
import sqlalchemy as sa

from bench.dash_client import DashClient
from components import ids
from data.batches import BatchStore
from data.ingest import processed_path, read_processed
from data.tables import predictions
from tests.reliability.harness import Gunicorn, copy_home, signed_in
from tests.scale.celery_worker import CeleryWorker
from tests.scale.dash_jobs import (
    page_end_id,
    poll_job,
    start_job,
    start_scoring,
    upload_batch,
    with_values,
)

ROWS = 100_000  # 20 chunks of 5,000: long enough to kill a web process mid-job


class Stack:
    """One home served by web processes (gunicorn, one worker each) and a Celery worker."""

    def __init__(self, home, redis_url: str):
        self.home, self.redis_url = home, redis_url
        self.webs: list[Gunicorn] = []
        self.worker: CeleryWorker | None = None

    def web(self) -> Gunicorn:
        """A gunicorn on this home and Redis, started but not yet waited for."""
        server = Gunicorn(self.home, REDIS_URL=self.redis_url, WEB_CONCURRENCY="1")
        server.log_path = self.home / f"web-{server.port}.log"
        self.webs.append(server)
        server.__enter__()
        return server

    def start_worker(self) -> CeleryWorker:
        env = {k: v for k, v in self.webs[0].env.items() if k not in ("PORT", "HOST")}
        self.worker = CeleryWorker(env, self.home / "worker.log").start()
        return self.worker

    def stop(self) -> None:
        for server in self.webs:
            server.stop()
        if self.worker is not None:
            self.worker.stop()

    @property
    def batches(self) -> BatchStore:
        return BatchStore(self.webs[0].database)


@pytest.fixture()
def stack(small_settings, tmp_path_factory, redis_url):
    stack = Stack(
        copy_home(small_settings.home, tmp_path_factory.mktemp("jobs")), redis_url
    )
    yield stack
    stack.stop()


def flights_csv(settings, spec, rows: int) -> bytes:
    """`rows` real flights of the sample (repeated), as a CSV a team would upload."""
    frame, _ = read_processed(processed_path(settings, spec), spec)
    features = frame[[f.column for f in spec.features]]
    repeated = features.iloc[np.arange(rows) % len(features)]
    return repeated.to_csv(index=False).encode()


def celery_task_id(handles: dict) -> str:
    """The job's id inside its signed handle ("<id>~<signature>"): a Celery task's uuid."""
    task = handles["job"].rpartition("~")[0]
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", task), task
    return task


def kill_hard(server: Gunicorn) -> None:
    """SIGKILL gunicorn's master and its workers: nothing gets to clean up."""
    master = psutil.Process(server.proc.pid)
    for process in [*master.children(recursive=True), master]:
        process.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=10)


def wait_for(check, timeout: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"waited {timeout:.0f}s for {what}")


def logged(database, batch_id: str) -> int:
    query = sa.select(sa.func.count()).where(predictions.c.batch_id == batch_id)
    with database.engine.connect() as connection:
        return int(connection.execute(query).scalar())


def history_text(client) -> str:
    """The Batch page's past-batches table as a fresh page load renders it."""
    for _, ident, props in client.layout("/batch"):
        if ident == ids.BATCH_HISTORY:
            return str(props)
    raise LookupError(ids.BATCH_HISTORY)


def test_cel001_a_batch_scored_on_the_worker_outlives_the_web_process_that_started_it(
    stack, small_settings, flights_spec
):
    first, second = stack.web(), stack.web()
    worker = stack.start_worker()
    first.wait_ready(90)
    second.wait_ready(90)

    ana = signed_in(first.url, "ana")
    end_id = page_end_id(ana)
    answer = upload_batch(ana, flights_csv(small_settings, flights_spec, ROWS))
    ticket = answer[ids.BATCH_TICKET]["data"]
    assert ticket, str(answer[ids.BATCH_REPORT])[:300]
    handles = start_scoring(ana, end_id, ticket)

    # The job is the worker's: a Celery task it received, logging rows under the batch.
    task = celery_task_id(handles)
    wait_for(lambda: f"[{task}] received" in worker.log(), 30, "the worker's task")
    running = wait_for(
        lambda: next(
            (b for b in stack.batches.list("ana", 1) if b.rows_scored > 0), None
        ),
        60,
        "the first scored chunk",
    )
    kill_hard(first)
    assert stack.batches.get(running.id).status == "running"

    # A page loaded on the other web process meanwhile lists the batch as running.
    other = signed_in(second.url, "ana")
    assert "running" in history_text(other)
    # The first page's polls, now answered by the other web process.
    answers = poll_job(other, end_id, handles, timeout=180)
    record = stack.batches.get(running.id)
    assert record.status == "done", record.message
    assert record.rows_scored + record.rows_refused == record.rows_in == ROWS
    assert record.rows_scored == logged(second.database, record.id) > 0.9 * ROWS
    progress = [a["progress"] for a in answers if "progress" in a]
    scored = record.rows_in - running.rows_refused  # the rows the job set out to score
    done_words = f"{scored:,} of {scored:,} rows"
    assert any(done_words in str(p) for p in progress), progress[-3:]
    result = str(answers[-1]["response"])
    assert "Done" in result and f"{record.rows_scored:,}" in result

    # A fresh page load on the surviving process shows the batch done; it downloads.
    history = history_text(other)
    assert (
        "done" in history and f"{record.rows_scored:,} of {record.rows_in:,}" in history
    )
    download = other.session.get(f"{second.url}/batch/{record.id}/download", timeout=60)
    assert download.status_code == 200
    assert download.content.count(b"\n") == record.rows_scored + 1
    # Nothing ran as a web process's own job: no disk-cache job store was made.
    assert not (stack.home / "jobs").exists()
    assert f"[{task}] succeeded" in worker.log()


def retrain_dependency(client) -> dict:
    """The Model page's retrain job (its outputs: the verdict, versions, alias history)."""
    wanted = (ids.RETRAIN_RESULT, ids.ALIAS_HISTORY)
    found = [d for d in client.deps if all(w in d["output"] for w in wanted)]
    assert len(found) == 1, [d["output"] for d in found]
    return found[0]


def test_cel002_a_retrain_from_the_model_page_runs_on_the_worker(stack):
    web = stack.web()
    worker = stack.start_worker()
    web.wait_ready(90)
    versions = stack.home / "artifacts" / "flights"
    before = {p.name for p in versions.iterdir() if p.is_dir()}

    ada = signed_in(web.url, "ada")
    end_id = page_end_id(ada, "/model")
    start = ada.callback(f"{ids.RETRAIN_STATUS}.children")
    body = DashClient.body(
        start,
        with_values(start["inputs"], {ids.RETRAIN_START: 1}),
        [f"{ids.RETRAIN_START}.n_clicks"],
        with_values(start["state"], {ids.RETRAIN_FORCE: False}),
    )
    ticket = ada.send(body).json()["response"][ids.RETRAIN_TICKET]["data"]
    job = retrain_dependency(ada)
    inputs = with_values(job["inputs"], {ids.RETRAIN_TICKET: ticket})
    handles = start_job(ada, end_id, job, inputs, [f"{ids.RETRAIN_TICKET}.data"], [])
    answers = poll_job(ada, end_id, handles, timeout=240)

    shown = str(answers[-1]["response"][ids.RETRAIN_RESULT])
    assert "Retrained in" in shown, shown[:500]
    after = {p.name for p in versions.iterdir() if p.is_dir()}
    (candidate,) = after - before
    assert candidate in shown
    assert f"[{celery_task_id(handles)}] succeeded" in worker.log()
    assert not (stack.home / "jobs").exists()
