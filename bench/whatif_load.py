"""What-if throughput: locust (bench/locustfile.py `WhatIfClient`) sending the Predict
callback, POST /_dash-update-component with the body the browser sends, to gunicorn as
production runs it (gunicorn.conf.py, --preload) with 2 workers; predictions per second,
failures, p50/p95, and every answered what-if in the prediction log.

    python -m bench.whatif_load [--quick] [--open]

The inputs are real flights (rows of the processed data the form accepts), so each request
asks about a different flight. Each client signs in as a throwaway analyst (`--open`: the
app runs with FLIGHTDECK_AUTH=off instead). Predictions go to a throwaway database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from app import serving_models
from bench.dash_client import DashClient, sign_in
from bench.load import run_locust
from bench.measure import log
from bench.server import Server, copy_aliases, production_argv
from bench.table import render, row, verdict
from bench.whatif import PredictRequests
from components import ids
from config import Settings
from data.db import Database
from data.ingest import processed_path, read_processed
from data.spec import load_spec
from data.stores import PredictionLog
from data.users import UserStore
from model.service import InputError

TARGET = 200.0  # what-if predictions per second with 2 workers (issue 10)
WORKERS = 2
USERS = 16  # enough clients to keep both workers busy, and their queues full
SOURCE = "whatif"  # the prediction log's source for the Predict page's answers
# The request's name in locust's stats.
WHATIF = "POST /_dash-update-component (what-if)"
AGENT = "flightdeck-bench"  # the User-Agent of the sign-ins and of locust's requests


def form_value(value):
    """A data value as the Predict form sends it: text, a whole number, the float32's
    shortest decimal (39.02, not 39.020000457), or None when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    number = float(str(np.float32(value)))
    return int(number) if number.is_integer() else number


def varied_records(settings: Settings, spec, service, n: int = 300) -> list[dict]:
    """n real flights' inputs that the form accepts (rows with no missing feature)."""
    frame, _ = read_processed(processed_path(settings, spec), spec)
    sample = frame[service.columns].sample(min(len(frame), 3 * n), random_state=11)
    records = []
    for values in sample.astype(object).to_dict("records"):
        raw = {column: form_value(v) for column, v in values.items()}
        try:
            service.validate(raw)
        except InputError:
            continue
        records.append(raw)
    return records[:n]


def throwaway_database(folder: str, settings: Settings) -> tuple[str, tuple]:
    """A database serving the home's champion, with an analyst to sign in as."""
    url = f"sqlite:///{Path(folder) / 'whatif-load.db'}"
    credentials = ("bench", secrets.token_urlsafe(16))
    copy_aliases(url, settings)
    name, password = credentials
    UserStore(Database(url).migrate()).add(name, "analyst", password)
    return url, credentials


def signed_in_cookies(base: str, credentials, n: int) -> list[str]:
    """n sessions signed in through the login form, as Cookie headers: the clients start
    signed in, so the run times what-ifs, not n sign-ins at once. Signed in with locust's
    User-Agent: Flask-Login marks a session from another agent not fresh, and then
    writes the cookie again on every response, which a browser never causes."""
    cookies = []
    for _ in range(n):
        with requests.Session() as session:
            session.headers["User-Agent"] = AGENT
            sign_in(session, base, credentials)
            pairs = session.cookies.get_dict().items()
            cookies.append("; ".join(f"{k}={v}" for k, v in pairs))
    return cookies


def load_run(base: str, bodies: Path, cookies: list[str], seconds: int) -> dict:
    """One locust run of WhatIfClient, one client per cookie (or USERS, open)."""
    env = {
        "FLIGHTDECK_BENCH_BODIES": str(bodies),
        "FLIGHTDECK_BENCH_COOKIES": json.dumps(cookies),
        "FLIGHTDECK_BENCH_RESULT": ids.PREDICT_RESULT,
        "FLIGHTDECK_BENCH_NAME": WHATIF,
        "FLIGHTDECK_BENCH_AGENT": AGENT,
    }
    stats = run_locust(base, "WhatIfClient", env, USERS, seconds).get(WHATIF)
    if stats is None:
        raise RuntimeError("locust sent no what-if; see bench/results/")
    return stats


def timed_load(server: Server, bodies: Path, cookies: list[str], seconds: int) -> dict:
    """The locust run, with the CPU the server and locust used during it."""
    server_cpu = sum(server.cpu_seconds().values())
    locust_cpu = _children_cpu()
    found = load_run(server.base, bodies, cookies, seconds)
    found["server_cpu_s"] = sum(server.cpu_seconds().values()) - server_cpu
    found["locust_cpu_s"] = _children_cpu() - locust_cpu
    return found


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (locust, once it has run)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def serving_service(real: Settings, spec, url: str):
    """The service the server will answer with (the champion copied into `url`)."""
    database = Database(url)
    service = serving_models(real, spec, database)[0].current()
    database.dispose()
    return service


def clients_setup(server: Server, credentials, service, records, folder: str):
    """The callback bodies, shaped from the live app, and the clients' sessions."""
    client = DashClient(server.base, credentials)
    sender = PredictRequests(client, service)
    bodies = Path(folder) / "bodies.json"
    bodies.write_text(json.dumps([sender.body(r) for r in records]))
    client.close()
    cookies = signed_in_cookies(server.base, credentials, USERS) if credentials else []
    return bodies, cookies


def refusals(server: Server) -> list[str]:
    """The server's log lines for what-ifs refused because they could not be logged."""
    text = server.log_path.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if "refused: not logged" in line]


def measure_whatif_load(
    real: Settings, quick: bool = False, open_mode: bool = False
) -> dict:
    """Serve, build the request bodies from the live app, run locust, count the log."""
    spec, seconds = load_spec(real.spec_path), 10 if quick else 30
    info = {"users": USERS, "seconds": seconds, "workers": WORKERS}
    info |= {
        "auth": "off" if open_mode else "signed in",
        "load_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="flightdeck-whatif-load-") as folder:
        url, credentials = throwaway_database(folder, real)
        service = serving_service(real, spec, url)
        records = varied_records(real, spec, service)
        env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32)}
        if open_mode:
            env["FLIGHTDECK_AUTH"], credentials = "off", None
        with Server("whatif-load", production_argv(WORKERS), env) as server:
            server.wait_ready(timeout=180)
            bodies, cookies = clients_setup(
                server, credentials, service, records, folder
            )
            before = PredictionLog(Database(url)).count(SOURCE)
            log(f"what-if load: locust, {USERS} clients x {seconds} s, 2 workers")
            found = timed_load(server, bodies, cookies, seconds)
            found["logged"] = PredictionLog(Database(url)).count(SOURCE) - before
            found["refusals"] = refusals(server)
    return {**info, **found, "inputs": len(records), "loadavg": os.getloadavg()}


def cpu_note(w: dict) -> tuple[str, str]:
    """Server CPU per answered what-if and the rate two free cores would allow, and how
    much CPU the server and locust got: the machine is shared, so this explains a miss."""
    answered = max(w["requests"] - w["failures"], 1)
    per = 1000 * w["server_cpu_s"] / answered
    cores = (w["server_cpu_s"] + w["locust_cpu_s"]) / w["seconds"]
    return (
        f"{per:.1f} ms server CPU per what-if (≤ {2000 / per:,.0f}/s on 2 free cores)",
        f"server {w['server_cpu_s'] / w['seconds']:.2f} + locust "
        f"{w['locust_cpu_s'] / w['seconds']:.2f} of {os.cpu_count()} cores "
        f"({cores / (os.cpu_count() or 1):.0%}); load avg {w['loadavg'][0]:.1f}",
    )


def whatif_load_rows(w: dict) -> list[tuple]:
    """Predictions/s against the target, where the CPU went, failures and the log."""
    answered = w["requests"] - w["failures"]
    who = "open (FLIGHTDECK_AUTH=off)" if w["auth"] == "off" else "signed-in analysts"
    return [
        row(
            f"What-if throughput, gunicorn --preload {w['workers']} workers, locust "
            f"{w['users']} {who} x {w['seconds']} s, {w['inputs']} real flights",
            f"{w['rps']:,.0f} predictions/s",
            f"p50 {w['p50_ms']:.0f} ms, p95 {w['p95_ms']:.0f} ms, "
            f"p99 {w['p99_ms']:.0f} ms",
            budget=f"≥ {TARGET:.0f}/s",
            verdict=verdict(w["rps"] >= TARGET),
        ),
        row("  info: where the CPU went", *cpu_note(w)),
        row(
            f"What-if load: failures / logged with source {SOURCE}",
            f"{w['failures']} / {w['logged']:,}",
            f"of {w['requests']:,} sent ({answered:,} answered)"
            + (
                f"; {len(w['refusals'])} not logged, so refused"
                if w["refusals"]
                else ""
            ),
            budget="0 failures, every answer logged",
            verdict=verdict(w["failures"] == 0 and w["logged"] >= answered),
        ),
    ]


def run_whatif_load(
    real: Settings | None = None, quick: bool = False, open_mode: bool = False
) -> dict:
    """The section for bench.run: its results and its rows."""
    res = measure_whatif_load(real or Settings.from_env(), quick, open_mode)
    res["rows"] = whatif_load_rows(res)
    return res


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.whatif_load")
    parser.add_argument("--quick", action="store_true", help="10 s instead of 30 s")
    parser.add_argument(
        "--open", action="store_true", help="serve with FLIGHTDECK_AUTH=off, no sign-in"
    )
    args = parser.parse_args(argv)
    found = run_whatif_load(quick=args.quick, open_mode=args.open)
    print(render(found.pop("rows")))


if __name__ == "__main__":
    main()
