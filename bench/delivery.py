"""Batch and API delivery figures: batch rows per second end to end against a bare
predict_proba of the same frame, the API's single-record latency against a bare one-row
predict_proba and the what-if callback, and API throughput with 2 gunicorn workers under
locust.

`python -m bench.delivery` (bench.run runs it too). It works on a throwaway copy of the
home's data and artifacts with its own database, so nothing is logged to the real one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from app import serving_models
from bench.dash_client import DashClient
from bench.delivery_rows import delivery_rows
from bench.lifecycle import throwaway_home
from bench.load import run_locust
from bench.measure import WARMUP, log, timed
from bench.server import RESULTS, Server, copy_aliases, production_argv
from bench.table import render
from bench.whatif import PredictRequests, whatif_cases
from config import Settings
from data.api_keys import ApiKeyStore
from data.batches import BatchStore
from data.db import Database
from data.ingest import processed_path, read_processed
from data.log_insert import insert
from data.spec import load_spec
from data.stores import PredictionLog, log_row
from data.tables import predictions
from data.uploads import read_table
from data.users import UserStore
from model.batch_check import check_frame
from model.batch_run import run_batch

BATCH_ROWS = 100_000
NO_LIMIT = "1000000 per minute"  # the bench measures the server, not the rate limit


def _csv_bytes(frame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def bare_seconds(service, frame) -> tuple[float, float]:
    """A bare predict_proba of the frame, with every core and at the service's thread
    cap; the best of 3 each, since the baseline is the raw work, not the machine's noise."""
    bare_frame = service.frame(frame[service.columns].to_dict("records"))
    predict = getattr(service.pipeline, "predict_proba", service.pipeline.predict)
    predict(bare_frame.iloc[:1000])  # warm
    every_core = min(timed(predict, bare_frame) for _ in range(3)) / 1000
    with service.scoring_threads():
        capped = min(timed(predict, bare_frame) for _ in range(3)) / 1000
    return every_core, capped


def batch_section(settings: Settings, spec, rows: int = BATCH_ROWS) -> dict:
    """One file of `rows` flights through parse, validate, score, log and write."""
    database = Database(settings.database).migrate()
    models, prediction_log = serving_models(settings, spec, database)
    service = models.current()
    frame, _ = read_processed(processed_path(settings, spec), spec)
    frame = frame.sample(rows, random_state=7, replace=len(frame) < rows)
    content = _csv_bytes(frame[service.columns])
    bare_all, bare_capped = bare_seconds(service, frame)
    stages, started = {}, time.perf_counter()
    parsed = read_table(content, "bench.csv")
    stages["parse"] = time.perf_counter() - started
    report = check_frame(service, parsed)
    stages["validate"] = time.perf_counter() - started - stages["parse"]
    with tempfile.TemporaryDirectory(prefix="flightdeck-batch-") as out:
        record = run_batch(
            models,
            parsed,
            report,
            store=BatchStore(database),
            home=Path(out),
            user="bench",
            file_name="bench.csv",
        )
        stages["score_log_write"] = (
            time.perf_counter() - started - stages["parse"] - stages["validate"]
        )
        output = Path(out) / "batches" / f"{record.id}.csv"
        written = _count_lines(output) if output.exists() else 0
    total = time.perf_counter() - started
    logged = _batch_logged(prediction_log, record.id)
    floor = log_floor_seconds(settings, service, frame[service.columns])
    if models.shadow is not None:  # the challenger's answers, before the home goes
        models.shadow.flush(timeout_s=60)
    database.dispose()
    return {
        "rows": rows,
        "mb": len(content) / 2**20,
        "total_s": total,
        "stages": stages,
        "bare_s": bare_all,
        "bare_capped_s": bare_capped,
        "log_floor_s": floor,
        "threads": service.threads,
        "scored": record.rows_scored,
        "written": written,
        "logged": logged,
        "status": record.status,
    }


def log_floor_seconds(settings: Settings, service, frame) -> float:
    """The batch's log rows inserted alone into an empty log in one transaction: the
    least that logging every row costs on this machine, whatever else the batch does."""
    database = Database(f"sqlite:///{settings.home / 'log-floor.db'}").migrate()
    rows = [
        log_row(
            source="batch",
            user="bench",
            model_version=service.version,
            model_sha256=service.card.sha256,
            inputs=inputs,
            output=0.5,
            latency_ms=0.0,
            batch_id="0" * 32,
        )
        for inputs in frame.to_dict("records")
    ]
    started = time.perf_counter()
    with database.engine.begin() as connection:
        insert(connection, rows)
    seconds = time.perf_counter() - started
    database.dispose()
    return seconds


def _count_lines(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _batch_logged(prediction_log: PredictionLog, batch_id: str) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(predictions)
        .where(predictions.c.batch_id == batch_id)
    )
    with prediction_log.engine.connect() as connection:
        return int(connection.execute(query).scalar())


def api_records(service, n: int = 50) -> list[dict]:
    """Single records as a client sends them: the what-if cases' raw inputs."""
    records = [case.raw for case in whatif_cases(service)]
    return (records * (n // max(len(records), 1) + 1))[:n]


def _bench_key(
    database_url: str, credentials: tuple[str, str], settings: Settings
) -> str:
    """An analyst in the server's throwaway database (serving the home's champion), and
    an API key of theirs."""
    database = Database(database_url).migrate()
    name, password = credentials
    copy_aliases(database_url, settings)
    UserStore(database).add(name, "analyst", password)
    key = ApiKeyStore(database).create(name, "bench")[1]
    database.dispose()
    return key


def api_latency_section(settings: Settings, spec, n: int = 200) -> dict:
    """Single-record API calls, each paired with a bare one-row predict_proba and with
    the what-if callback, against one `python app.py` server (the main bench's server)."""
    database_url = f"sqlite:///{settings.home / 'api-latency.db'}"
    credentials = ("bench", secrets.token_urlsafe(16))
    key = _bench_key(database_url, credentials, settings)
    env = {
        "FLIGHTDECK_HOME": str(settings.home),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "FLIGHTDECK_API_LIMIT": NO_LIMIT,
    }
    database = Database(settings.database).migrate()
    models, _ = serving_models(settings, spec, database)
    service = models.current()
    cases = whatif_cases(service)
    predict = getattr(service.pipeline, "predict_proba", service.pipeline.predict)
    times = {"api": [], "bare": [], "whatif": []}
    problems: list[str] = []
    with Server("api", [sys.executable, "app.py"], env) as server:
        server.wait_ready(timeout=120)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        whatif = PredictRequests(DashClient(server.base, credentials), service)
        for i in range(n + WARMUP):
            case = cases[i % len(cases)]
            started = time.perf_counter()
            reply = api.post(server.base + "/api/v1/predict", json=case.raw, timeout=30)
            api_ms = (time.perf_counter() - started) * 1000
            bare_ms = timed(predict, case.frame)
            whatif_ms, answer = whatif.send(case.raw)
            if reply.status_code != 200 or answer.status_code != 200:
                problems.append(f"HTTP {reply.status_code} / {answer.status_code}")
                continue
            if i >= WARMUP:
                times["api"].append(api_ms)
                times["bare"].append(bare_ms)
                times["whatif"].append(whatif_ms)
        logged = PredictionLog(Database(database_url)).count("api")
    database.dispose()
    return {"n": n, "times": times, "problems": problems, "logged": logged}


def api_throughput_section(
    settings: Settings, spec, users: int = 24, seconds: int = 20
) -> dict:
    """gunicorn with 2 workers, `users` locust clients sending single records."""
    database_url = f"sqlite:///{settings.home / 'api-load.db'}"
    credentials = ("bench", secrets.token_urlsafe(16))
    key = _bench_key(database_url, credentials, settings)
    database = Database(settings.database).migrate()
    models, _ = serving_models(settings, spec, database)
    records = api_records(models.current())
    database.dispose()
    argv = production_argv(workers=2)
    env = {
        "FLIGHTDECK_HOME": str(settings.home),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "FLIGHTDECK_API_LIMIT": NO_LIMIT,
        "GUNICORN_ACCESS_LOG": os.devnull,
    }
    with Server("api-load", argv, env) as server:
        server.wait_ready(timeout=180)
        load = {
            "FLIGHTDECK_BENCH_KEY": key,
            "FLIGHTDECK_BENCH_RECORDS": json.dumps(records),
        }
        stats = run_locust(server.base, "ApiClient", load, users, seconds)
        rss = server.rss_mb()
    return {
        "users": users,
        "seconds": seconds,
        **stats["POST /api/v1/predict"],
        "logged": PredictionLog(Database(database_url)).count("api"),
        "rss": rss,
    }


def run_delivery(real: Settings | None = None, quick: bool = False) -> dict:
    """Every delivery measurement on a throwaway home; returns the results and rows."""
    real = real or Settings.from_env()
    spec = load_spec(real.spec_path)
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="flightdeck-delivery-") as folder:
        settings = throwaway_home(real, Path(folder))
        rows = 20_000 if quick else BATCH_ROWS
        log(f"delivery: batch of {rows:,} rows end to end")
        res["batch"] = batch_section(settings, spec, rows)
        log("delivery: API single-record latency against predict_proba and the what-if")
        res["api_latency"] = api_latency_section(settings, spec, 60 if quick else 200)
        log("delivery: API throughput, gunicorn 2 workers, locust")
        res["api_throughput"] = api_throughput_section(
            settings, spec, seconds=10 if quick else 20
        )
    res["rows"] = delivery_rows(res)
    return res


def main(argv: list[str] | None = None) -> None:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    found = run_delivery(quick=quick)
    print(render(found.pop("rows")))
    (RESULTS / "delivery.json").write_text(
        json.dumps(found, indent=1, default=str), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
