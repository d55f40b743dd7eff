"""Monitor page refresh at 100k and 1M logged predictions against a naive full scan, and
what keeping the monitoring aggregates costs each logged prediction.

`python -m bench.monitor [--quick]` (bench.run runs it too, unless --no-monitor). It works
on a throwaway copy of the home with its own SQLite log (bench.lifecycle.throwaway_home),
grown by logging the held-out rows again and again (bench/monitor_log.py).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from app import serving_models
from bench.lifecycle import throwaway_home
from bench.measure import log, pct, timed
from bench.monitor_log import GrowingLog, NaiveScan, WriteOverhead, held_out
from bench.monitor_rows import monitor_rows
from bench.table import render
from config import Settings
from data.db import Database
from data.spec import load_spec
from monitor import log_view
from monitor.report import Monitored, build_report, span
from monitor.report_types import Window

PLANS = {
    "full": {
        "sizes": (100_000, 1_000_000),
        "repeats": 20,
        "naive": 3,  # naive scans per window, at most...
        "naive_cap_s": 20.0,  # ...and none started after this long (at least one)
        "build_cap_s": 480.0,  # building the log, all sizes together
        "grid": 5,
        "single": 200,
        "batches": 10,
    },
    "quick": {
        "sizes": (20_000,),
        "repeats": 10,
        "naive": 2,
        "naive_cap_s": 10.0,
        "build_cap_s": 60.0,
        "grid": 3,
        "single": 50,
        "batches": 4,
    },
}
WARMUP = 2
WEEKLY_AFTER_DAYS = 92  # the page's default window is drawn by week past this many days
GRID_PAGE = 100  # the log grid's cacheBlockSize


def windows(monitored: Monitored, version: str) -> list[tuple[str, Window]]:
    """A typical window (the logged days by week) and the page's default (the whole
    span, by day up to WEEKLY_AFTER_DAYS days)."""
    first, last = span(monitored, version)
    days = (last - first).days
    default = "week" if days > WEEKLY_AFTER_DAYS else "day"
    dates = f"{first:%Y-%m-%d}…{last:%Y-%m-%d}, {days + 1} days"
    return [
        (f"{dates} by week", Window(first, last, "week")),
        (f"whole span by {default} (page default)", Window(first, last, default)),
    ]


def agree(fast, slow) -> bool:
    """The aggregates' report and the naive one show the same figures."""
    same = fast.totals["n"] == slow.totals["n"]
    same &= fast.totals["labeled"] == slow.totals["labeled"]
    for frame, columns in (
        ("drift", ["psi", "statistic"]),
        ("performance", ["estimated", "realized"]),
    ):
        a, b = getattr(fast, frame), getattr(slow, frame)
        same &= len(a) == len(b) and all(
            np.allclose(a[c].astype(float), b[c].astype(float), equal_nan=True)
            for c in columns
        )
    return bool(same)


def refresh_window(monitored, naive, version, window: Window, plan: dict) -> dict:
    """build_report timed `repeats` times, the naive scan a few times, same figures?"""
    for _ in range(WARMUP):
        fast_report = build_report(monitored, window, version=version)
    fast = [
        timed(build_report, monitored, window, version=version)
        for _ in range(plan["repeats"])
    ]
    slow, cap = [], time.perf_counter() + plan["naive_cap_s"]
    while len(slow) < plan["naive"] and (not slow or time.perf_counter() < cap):
        started = time.perf_counter()
        slow_report = naive.report(window, version)
        slow.append((time.perf_counter() - started) * 1000)
    return {
        "n": len(fast),
        "p50": pct(fast, 50),
        "p95": pct(fast, 95),
        "naive_n": len(slow),
        "naive_p50": pct(slow, 50),
        "naive_p95": pct(slow, 95),
        "agree": agree(fast_report, slow_report),
        "rows": fast_report.totals["n"],
    }


def grid_page_ms(database: Database, version: str, window: Window, repeats: int):
    """The log grid's first block for the window (rows and the count): the one part of
    the page that reads the log itself."""
    request = {
        "startRow": 0,
        "endRow": GRID_PAGE,
        "sortModel": [],
        "filterModel": {
            "event_time": {
                "filterType": "date",
                "type": "inRange",
                "dateFrom": f"{window.start} 00:00:00",
                "dateTo": f"{window.end} 00:00:00",
            },
            "version": {"filterType": "text", "type": "equals", "filter": version},
        },
    }
    log_view.log_page(database.engine, request)
    times = [timed(log_view.log_page, database.engine, request) for _ in range(repeats)]
    return {"n": repeats, "p50": pct(times, 50), "p95": pct(times, 95)}


def measure_size(size: int, parts: dict, plan: dict) -> dict:
    """Grow the log to `size` (or as far as the build cap allows), then time the page."""
    grown, version = parts["log"], parts["version"]
    log(f"monitor: logging held-out rows until {size:,} are logged")
    reached = grown.grow_to(size, plan["build_cap_s"])
    found = {"target": size, "reached": reached, "build": grown.summary()}
    log(f"monitor: {grown.logged:,} logged; timing the page against a naive scan")
    found["windows"] = [
        {"label": label, **refresh_window(*parts["report"], window, plan)}
        for label, window in windows(parts["report"][0], version)
    ]
    whole = windows(parts["report"][0], version)[-1][1]
    found["grid"] = grid_page_ms(parts["database"], version, whole, plan["grid"])
    return found


def section_parts(settings: Settings, spec) -> dict:
    """The throwaway home's log, served by the champion as the app serves it."""
    database = Database(settings.database).migrate()
    models, prediction_log = serving_models(settings, spec, database)
    service = models.current()
    held = held_out(settings, spec)
    cleans = [service.validate(r, allow_missing=True)[0] for r in held.rows[:50]]
    monitored = Monitored(database, spec, models.registry)
    naive = NaiveScan(prediction_log, spec, models.registry)
    return {
        "database": database,
        "version": service.version,
        "log": GrowingLog(service, prediction_log, held),
        "report": (monitored, naive, service.version),
        "writes": WriteOverhead(service, prediction_log, cleans),
        "held_out": len(held),
        "calibrated": service.card.monitor is not None,
    }


def run_monitor(real: Settings | None = None, quick: bool = False) -> dict:
    """Every size of the plan, then the write overhead on the largest log."""
    plan, started = PLANS["quick" if quick else "full"], time.perf_counter()
    real = real or Settings.from_env()
    spec = load_spec(real.spec_path)
    with tempfile.TemporaryDirectory(prefix="flightdeck-monitor-") as folder:
        settings = throwaway_home(real, Path(folder))
        parts = section_parts(settings, spec)
        res = {"plan": plan, "held_out": parts["held_out"], "sizes": []}
        res |= {"calibrated": parts["calibrated"], "loadavg_before": os.getloadavg()}
        for size in plan["sizes"]:
            found = measure_size(size, parts, plan)
            res["sizes"].append(found)
            if not found["reached"]:
                break
        grown = parts["log"].logged
        log(f"monitor: log writes with and without the aggregates, at {grown:,} rows")
        res["writes"] = parts["writes"].measure(plan["single"], plan["batches"])
        res["writes"]["log_rows"] = grown
    res |= {
        "loadavg_after": os.getloadavg(),
        "elapsed_s": time.perf_counter() - started,
    }
    res["rows"] = monitor_rows(res)
    return res


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.monitor")
    parser.add_argument("--quick", action="store_true", help="one small log")
    args = parser.parse_args(argv)
    res = run_monitor(quick=args.quick)
    before, after = res["loadavg_before"][0], res["loadavg_after"][0]
    print(
        f"Monitor section · load avg {before:.2f} → {after:.2f} · {res['elapsed_s']:.0f}s"
    )
    print(render(res["rows"]))


if __name__ == "__main__":
    main()
