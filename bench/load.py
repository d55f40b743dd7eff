"""The bench's load tool: locust (pinned in requirements-bench.txt), headless, one run of one
of bench/locustfile.py's clients against a server, read back from its final JSON stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.server import RESULTS, ROOT

LOCUSTFILE = ROOT / "bench" / "locustfile.py"


def percentile(response_times: dict, q: float) -> float:
    """The q-th percentile (ms) of locust's histogram {rounded ms: count}; NaN if empty."""
    counts = sorted((float(ms), n) for ms, n in response_times.items())
    total = sum(n for _, n in counts)
    seen = 0
    for ms, n in counts:
        seen += n
        if seen >= total * q / 100:
            return ms
    return float("nan")


def summary(entry: dict) -> dict:
    """One request name's final stats: counts, requests per second, p50/p95/p99 (ms)."""
    span = entry["last_request_timestamp"] - entry["start_time"]
    times = entry["response_times"]
    return {
        "requests": entry["num_requests"],
        "failures": entry["num_failures"],
        "rps": entry["num_requests"] / span if span > 0 else float("nan"),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
    }


def run_locust(
    base: str, client: str, env: dict, users: int, seconds: int
) -> dict[str, dict]:
    """`users` of locustfile's `client` class for `seconds` against `base`, all started at
    once; each request name's summary. Requests under way at the end are finished (and
    counted), so a server-side count can be compared. Locust's log goes to results/."""
    argv = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), client),
        *("--headless", "--json", "--skip-log", "--host", base),
        *("-u", str(users), "-r", str(users), "-t", f"{seconds}s"),
        *("--stop-timeout", "10", "--loglevel", "WARNING"),
    ]
    log_path = RESULTS / f"locust-{client}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as errors:
        done = subprocess.run(
            argv,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            check=False,
        )
    try:
        entries = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"locust printed no stats; see {log_path}") from None
    return {entry["name"]: summary(entry) for entry in entries}
