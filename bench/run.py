"""Measure the PRODUCT.md performance budget in one run and print one table.

    python -m bench.run                    # full run (~200 overview requests), 1-3 minutes
    python -m bench.run --quick            # fewer requests, about a minute
    python -m bench.run --no-rows10x       # skip the 10x-rows measurements
    python -m bench.run --server gunicorn  # serve with gunicorn (1 sync worker)
    python -m bench.run --no-browser       # skip the headless Chromium rows
    python -m bench.run --no-monitor       # skip the Monitor rows (100k and 1M logged)
    python -m bench.run --no-delivery      # skip the batch and JSON API rows
    python -m bench.run --no-memory        # skip the gunicorn PSS rows (2 and 1 workers)
    python -m bench.run --no-whatif-load   # skip the what-if throughput under locust
    python -m bench.run --no-two-instances # skip two instances behind nginx against one

Every server is a subprocess on 127.0.0.1 at a free port, stopped in a `finally`. Requests are
the ones the browser sends (shapes read from GET /_dash-dependencies and the page layouts).
Each measured request is paired with its in-process baseline right after it, so both see the
same load. The browser rows (first page load, what-if redraw) come from headless Chromium
against the same server. Predictions the bench causes are logged to throwaway SQLite files in
a temporary folder, never to var/flightdeck.db. Results also go to bench/results/latest.json
(gitignored); server logs to bench/results/*.log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import build_context
from bench.browser import browser_section
from bench.browser_rows import browser_rows
from bench.dash_client import DashClient
from bench.delivery import run_delivery
from bench.lifecycle import run_lifecycle
from bench.measure import log, pct
from bench.memory import run_memory
from bench.monitor import run_monitor
from bench.overview import PandasBaseline, overview_http
from bench.overview_form import OverviewForm
from bench.server import RESULTS, ROOT, Server, copy_aliases
from bench.table import BUDGET, as_records, build_rows, render
from bench.tenx import tenx_http, tenx_inprocess
from bench.two_instances import run_two_instances
from bench.whatif import predict_http
from bench.whatif_load import run_whatif_load
from config import Settings
from data.db import Database
from data.ingest import processed_path, read_processed
from data.stores import PredictionLog
from data.target import target_numbers
from data.users import UserStore

# Request counts and time caps (seconds) per section, full and --quick.
PLANS = {
    "full": {
        "overview": 200,
        "predict": 100,
        "tenx": 30,
        "tenx_http": 30,
        "health": 50,
        "browser_loads": 5,
        "browser_changes": 20,
        "cap": 75.0,
    },
    "quick": {
        "overview": 40,
        "predict": 30,
        "tenx": 8,
        "tenx_http": 8,
        "health": 20,
        "browser_loads": 3,
        "browser_changes": 10,
        "cap": 30.0,
    },
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    add, toggle = parser.add_argument, argparse.BooleanOptionalAction
    add("--quick", action="store_true", help="fewer requests (about a minute)")
    add(
        "--rows10x",
        action=toggle,
        default=True,
        help="the refresh at 10x rows, in-process (default on)",
    )
    add(
        "--rows10x-http",
        action=toggle,
        default=True,
        help="also at 10x rows through HTTP, with a second server (default on)",
    )
    add(
        "--server",
        choices=["dash", "gunicorn"],
        default="dash",
        help="`python app.py` (default) or gunicorn with 1 sync worker",
    )
    add(
        "--browser",
        action=toggle,
        default=True,
        help="first page load and what-if redraw in headless Chromium (default on)",
    )
    add(
        "--lifecycle",
        action=toggle,
        default=True,
        help="retrain wall time, shadow cost, promote swap time (default on)",
    )
    add(
        "--monitor",
        action=toggle,
        default=True,
        help="Monitor refresh at 100k and 1M logged predictions against a naive scan, "
        "and the log write overhead (default on; --quick: 20k only)",
    )
    add(
        "--delivery",
        action=toggle,
        default=True,
        help="batch rows/s, API latency and API throughput under locust (default on)",
    )
    add(
        "--memory",
        action=toggle,
        default=True,
        help="whole-server PSS against one worker's RSS, gunicorn --preload with 2 "
        "workers and with 1 (default on)",
    )
    add(
        "--whatif-load",
        action=toggle,
        default=True,
        help="what-if predictions/s, gunicorn 2 workers under locust (default on)",
    )
    add(
        "--two-instances",
        action=toggle,
        default=True,
        help="what-ifs through nginx to two instances against one, on PostgreSQL and "
        "Redis (default on; skipped, saying why, without nginx, PostgreSQL or Redis)",
    )
    add("--requests", type=int, help="overview requests (overrides the plan)")
    results = RESULTS / "latest.json"
    add("--json", type=Path, default=results, help="where to write the results")
    return parser.parse_args(argv)


def git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def sqlite_url(folder: str, name: str) -> str:
    return f"sqlite:///{Path(folder) / name}"


def bench_settings(folder: str) -> Settings:
    """The environment's settings with a throwaway prediction log and no auto-build."""
    return Settings.from_env().with_overrides(
        database_url=sqlite_url(folder, "bench.db"), auto_build=False
    )


def bench_user(server_db: str) -> tuple[str, str]:
    """An analyst in the servers' throwaway database, so the bench signs in like a user."""
    credentials = ("bench", secrets.token_urlsafe(16))
    name, password = credentials
    UserStore(Database(server_db).migrate()).add(name, "analyst", password)
    return credentials


def served_app(args, plan: dict, settings: Settings, server_db: str, res: dict):
    """The app as it is served, through HTTP; returns the in-process context and scenarios."""
    log(f"starting the server ({args.server})")
    with Server.for_app(args.server, "main", server_db) as server:
        res["ready_s"] = server.wait_ready(timeout=120)
        res["build_s"] = server.reported_build_s()
        res["rows"] = server.readyz().get("rows")
        log(f"ready in {res['ready_s']:.2f}s at {server.base}")
        ctx = build_context(settings, progress=log)
        client = DashClient(server.base, args.credentials)
        scenarios = http_sections(client, ctx, plan, res)
        res["rss"] = server.rss_mb()
        client.close()
        if args.browser:
            feature = ctx.service.whatif_feature
            res["browser"] = browser_section(
                server.base, plan, feature, args.credentials
            )
    check_server_log(server_db, res["predict"])
    return ctx, scenarios


def http_sections(client: DashClient, ctx, plan: dict, res: dict) -> list[dict]:
    """Overview refreshes, what-ifs and /healthz against one server; returns the scenarios."""
    form = OverviewForm(client.layout("/"))
    frame, _ = read_processed(processed_path(ctx.settings, ctx.spec), ctx.spec)
    # pandas averages the target as numbers (1 = positive), as a team's own code would.
    frame[ctx.spec.target] = target_numbers(frame[ctx.spec.target])
    baseline = PandasBaseline(frame, ctx.spec, form)
    scenarios = form.scenarios(plan["overview"], baseline.rows_matching)
    log(f"overview: {plan['overview']} refreshes through HTTP, each paired with pandas")
    res["overview"] = overview_http(client, form, scenarios, plan["cap"], baseline)
    log(f"what-if: {plan['predict']} predictions through HTTP, each paired in-process")
    res["predict"] = predict_http(client, ctx, plan["predict"], plan["cap"])
    times = [client.healthz_ms() for _ in range(plan["health"])]
    res["healthz"] = {"n": plan["health"], "p50": pct(times, 50)}
    return scenarios


def check_server_log(server_db: str, predict: dict) -> None:
    """Every what-if the server answered must be in its (throwaway) prediction log."""
    rows = PredictionLog(Database(server_db)).count()
    predict["server_log_rows"] = rows
    if rows < predict["n"]:
        predict["problems"].append(
            f"the server logged {rows} predictions for {predict['n']} answered"
        )


def tenx_sections(args, plan, ctx, settings, server_db, scenarios, res) -> None:
    """The Overview at 10x rows: in-process, then (optionally) through a second server."""
    if not args.rows10x:
        return
    log(f"10x rows in-process: {plan['tenx']} refreshes at 10x and at 1x")
    tenx = scenarios[: plan["tenx"]]
    res["tenx"] = tenx_inprocess(ctx, settings, tenx, plan["cap"], progress=log)
    if args.rows10x_http:
        log(f"10x rows through HTTP: second server, {plan['tenx_http']} refreshes")
        server = Server.for_app(args.server, "tenx", server_db)
        res["tenx_http"] = tenx_http(
            server, scenarios[: plan["tenx_http"]], plan["cap"], args.credentials
        )


def run_info(args, plan: dict) -> dict:
    return {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "server": args.server,
        "plan": plan,
        "budget": BUDGET,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_before": os.getloadavg(),
        "commit": git_commit(),
    }


def headline(res: dict, quick: bool) -> str:
    before, after = res["loadavg_before"][0], res["loadavg_after"][0]
    line = (
        f"Flightdeck bench · {res['when']} · commit {res['commit']} · "
        f"server {res['server']} · {res['cpus']} CPUs · "
        f"load avg {before:.2f} → {after:.2f} · "
        f"{'quick' if quick else 'full'} run in {res['elapsed_s']:.0f}s"
    )
    if res["busy"]:
        line += " · the machine was busy before the run: timings are inflated"
    return line


def shown_path(path: Path) -> Path:
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path


# The sections with their own servers and homes, in order: flag, runner(quick).
SEPARATE = {
    "lifecycle": lambda quick: run_lifecycle(n=20 if quick else 60),
    "monitor": lambda quick: run_monitor(quick=quick),
    "delivery": lambda quick: run_delivery(quick=quick),
    "memory": lambda quick: run_memory(quick=quick),
    "whatif_load": lambda quick: run_whatif_load(quick=quick),
    "two_instances": lambda quick: run_two_instances(quick=quick),
}


def separate_sections(args, res: dict) -> list[tuple]:
    """Each section that is on: its results in `res`, its rows returned in order."""
    rows = []
    for name, run in SEPARATE.items():
        if getattr(args, name):
            found = run(args.quick)
            rows += found.pop("rows")
            res[name] = found
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = dict(PLANS["quick" if args.quick else "full"])
    if args.requests:
        plan["overview"] = args.requests
    started, res = time.perf_counter(), run_info(args, plan)
    with tempfile.TemporaryDirectory(prefix="flightdeck-bench-") as folder:
        settings = bench_settings(folder)
        server_db = sqlite_url(folder, "bench-server.db")
        for url in (settings.database, server_db):
            copy_aliases(url)
        args.credentials = bench_user(server_db)
        ctx, scenarios = served_app(args, plan, settings, server_db, res)
        tenx_sections(args, plan, ctx, settings, server_db, scenarios, res)
    more = separate_sections(args, res)
    res["loadavg_after"] = os.getloadavg()
    res["elapsed_s"] = time.perf_counter() - started
    res["busy"] = res["loadavg_before"][0] >= 0.5 * (os.cpu_count() or 1)
    rows = build_rows(res, browser_rows(res.get("browser"))) + more
    res["table"] = as_records(rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    print(headline(res, args.quick))
    print(render(rows))
    print(f"(JSON: {shown_path(args.json)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
