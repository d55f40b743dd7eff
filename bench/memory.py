"""Memory as production runs it: gunicorn from gunicorn.conf.py (--preload, gthread), warmed
by every page, Overview refreshes and what-ifs, then the PSS of the master and of every
worker added up against one worker's RSS. With 2 workers (the budget) and with 1.

    python -m bench.memory [--quick]

PSS (proportional set size) splits each shared page between the processes that map it, so
the whole server's PSS is what it really costs; when the workers share the preloaded app it
stays close to one worker's RSS. Linux only (psutil reads /proc/<pid>/smaps_rollup).
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import psutil

from bench.dash_client import DashClient
from bench.measure import log
from bench.overview import OverviewRequests
from bench.overview_form import OverviewForm
from bench.server import REQUEST_TIMEOUT, Server, production_argv
from bench.table import render, row, verdict
from bench.whatif import PredictRequests
from bench.whatif_load import serving_service, throwaway_database, varied_records
from components.layout import PAGES
from config import Settings
from data.spec import load_spec

PSS_BUDGET = 1.3  # whole server's PSS ≤ 1.3x one worker's RSS, 2 workers (issue 10)
MIB = 2**20
WARM_CPU_S = 2.0  # each worker has used this much CPU in the warm-up, or it goes on


@dataclass(frozen=True)
class ProcessMemory:
    """One server process: its role and its resident, proportional and unique bytes."""

    pid: int
    role: str  # "master", "worker" or "other" (a worker's own child)
    rss: int
    pss: int
    uss: int


def sharing(processes: list[ProcessMemory]) -> dict:
    """The whole server's PSS against one worker's RSS (the smallest worker's: the
    stricter ratio); MiB."""
    workers = [p for p in processes if p.role == "worker"]
    if not workers:
        raise ValueError("no worker among the server's processes")
    total = sum(p.pss for p in processes)
    one = min(p.rss for p in workers)
    return {
        "pss_mib": total / MIB,
        "worker_rss_mib": one / MIB,
        "ratio": total / one,
        "master_pss_mib": sum(p.pss for p in processes if p.role == "master") / MIB,
        "worker_uss_mib": [p.uss / MIB for p in workers],
    }


def server_processes(server: Server) -> list[psutil.Process]:
    master = psutil.Process(server.proc.pid)
    return [master, *master.children(recursive=True)]


def read_memory(server: Server) -> list[ProcessMemory]:
    """Every process of the server: the master, its workers and anything they started."""
    master = server.proc.pid
    found = []
    for proc in server_processes(server):
        try:
            info = proc.memory_full_info()
            parent = proc.ppid()
        except psutil.NoSuchProcess:
            continue
        role = "master" if proc.pid == master else "other"
        role = "worker" if parent == master else role
        found.append(ProcessMemory(proc.pid, role, info.rss, info.pss, info.uss))
    return found


def worker_cpu_seconds(server: Server) -> dict[int, float]:
    """CPU seconds used so far by each worker (the master left out)."""
    used = server.cpu_seconds()
    used.pop(server.proc.pid, None)
    return used


def browse(client: DashClient, service, records: list[dict], seed: int) -> int:
    """Every page, 10 Overview refreshes, 10 what-ifs; the requests not answered 200."""
    failed = 0
    form = OverviewForm(client.layout("/"))
    for path in PAGES:
        client.layout(path)
    overview = OverviewRequests(client, form)
    for s in form.scenarios(10, lambda _s: 1, empty_every=10**9, seed=seed):
        failed += overview.send(s)[1].status_code != 200
    sender = PredictRequests(client, service)
    for raw in records[seed * 10 % len(records) :][:10]:
        failed += sender.send(raw)[1].status_code != 200
    return failed


def visit(base: str, credentials, service, records, seed: int, warmed: frozenset):
    """One visitor on a new (kept-alive) connection, which browses unless it reached a
    worker that is warm already; (requests not answered 200, whether it browsed)."""
    client = DashClient(base, credentials)
    try:
        reply = client.session.get(base + "/readyz", timeout=REQUEST_TIMEOUT)
        if reply.json().get("worker") in warmed:
            return 0, False
        return browse(client, service, records, seed), True
    finally:
        client.close()


def warm(server: Server, credentials, service, records, attempts: int) -> dict:
    """Visitors, two at a time, until every worker has used WARM_CPU_S of CPU."""
    start, tried, visits, failed = worker_cpu_seconds(server), 0, 0, 0
    used = dict.fromkeys(start, 0.0)
    with ThreadPoolExecutor(2) as pool:
        while tried < attempts and min(used.values(), default=0) < WARM_CPU_S:
            warmed = frozenset(pid for pid, cpu in used.items() if cpu >= WARM_CPU_S)
            args = (server.base, credentials, service, records)
            jobs = [pool.submit(visit, *args, tried + i, warmed) for i in (0, 1)]
            for job in jobs:
                not_ok, browsed = job.result()
                failed, visits = failed + not_ok, visits + browsed
            tried += 2
            now = worker_cpu_seconds(server)
            used = {pid: now[pid] - start.get(pid, 0.0) for pid in now}
    return {"visits": visits, "failed": failed, "worker_cpu_s": sorted(used.values())}


def measure(workers: int, env: dict, credentials, service, records, quick: bool):
    """One gunicorn with `workers` workers: ready, warmed, settled, then read."""
    with Server(f"memory-{workers}", production_argv(workers), env) as server:
        server.wait_ready(timeout=180)
        deadline = time.monotonic() + 30
        while len(worker_cpu_seconds(server)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        warmed = warm(server, credentials, service, records, 20 if quick else 40)
        time.sleep(1.0)  # let in-flight work and the alias poll settle
        processes = read_memory(server)
    return {
        "workers": workers,
        **sharing(processes),
        "warm": warmed,
        "processes": [asdict(p) for p in processes],
    }


def measure_memory(real: Settings, quick: bool = False) -> dict:
    """2 workers (the budget), then 1 for reference, each from a fresh start."""
    spec = load_spec(real.spec_path)
    with tempfile.TemporaryDirectory(prefix="flightdeck-memory-") as folder:
        url, credentials = throwaway_database(folder, real)
        service = serving_service(real, spec, url)
        records = varied_records(real, spec, service, n=120)
        env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32)}
        runs = []
        for workers in (2, 1):
            log(f"memory: gunicorn --preload, {workers} worker(s), warmed, then PSS")
            runs.append(measure(workers, env, credentials, service, records, quick))
    return {"runs": runs, "loadavg": os.getloadavg()}


def run_row(run: dict, budget: bool) -> tuple:
    """Whole-server PSS against one worker's RSS; the 2-worker run carries the budget."""
    n = run["workers"]
    what = f"Memory, gunicorn --preload, {n} worker{'s' if n > 1 else ''}: "
    what += f"whole-server PSS (master + {n})" + ("" if budget else " (info)")
    return row(
        what,
        f"{run['pss_mib']:.0f} MiB",
        f"one worker's RSS {run['worker_rss_mib']:.0f} MiB",
        f"{run['ratio']:.2f}×",
        f"≤ {PSS_BUDGET}×" if budget else "—",
        verdict(run["ratio"] <= PSS_BUDGET) if budget else "—",
    )


def detail_row(run: dict) -> tuple:
    """Where the PSS is: the master's share and each worker's own (unshared) pages."""
    warmed = run["warm"]
    unique = " / ".join(f"{u:.0f}" for u in run["worker_uss_mib"])
    cpu = " / ".join(f"{c:.1f}" for c in warmed["worker_cpu_s"])
    ok = warmed["failed"] == 0 and min(warmed["worker_cpu_s"], default=0) >= WARM_CPU_S
    return row(
        f"  info: {run['workers']} worker(s): master PSS / each worker's own pages (USS)",
        f"{run['master_pss_mib']:.0f} / {unique} MiB",
        f"warm-up: {warmed['visits']} visits, worker CPU {cpu} s, "
        f"{warmed['failed']} failed",
        budget=f"each worker ≥ {WARM_CPU_S:.0f} s CPU, 0 failed",
        verdict=verdict(ok),
    )


def memory_rows(res: dict) -> list[tuple]:
    rows = []
    for run in res["runs"]:
        rows += [run_row(run, budget=run["workers"] == 2), detail_row(run)]
    return rows


def run_memory(real: Settings | None = None, quick: bool = False) -> dict:
    """The section for bench.run: its results and its rows."""
    res = measure_memory(real or Settings.from_env(), quick)
    res["rows"] = memory_rows(res)
    return res


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--quick", action="store_true", help="a shorter warm-up")
    found = run_memory(quick=parser.parse_args(argv).quick)
    print(render(found.pop("rows")))


if __name__ == "__main__":
    main()
