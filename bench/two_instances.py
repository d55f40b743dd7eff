"""Two instances behind nginx against one, on PostgreSQL and Redis: what-if predictions/s
and p50/p95 under the same locust load (bench/locustfile.py `WhatIfClient`, 16 signed-in
analysts), printed side by side with the ratio.

    python -m bench.two_instances [--quick] [--workers N]

Three runs, each against fresh instances of the home's champion (gunicorn as the Procfile
runs it, N workers each, 2 by default; each instance its own copy of the processed data and
score cache, all on one throwaway PostgreSQL database, one redis-server and the home's
artifacts folder as FLIGHTDECK_ARTIFACTS): one instance directly, the same instance behind
nginx (the shipped site, tests/nginx.py), and two instances behind the same nginx site. Each
run checks that every answered what-if is in the log, and says how nginx shared the load.

Both instances run on the same cores as nginx, PostgreSQL and locust, so two instances are
not expected to answer more than one: the rows measure what nginx and a second instance
cost, not a gain. PostgreSQL and redis-server are started here on loopback (tests/postgres.py,
tests/scale/redis_server.py), on ports 55500-55599 and 56500-56599.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from bench.instances import Fleet, free_port_in
from bench.measure import log
from bench.server import copy_aliases
from bench.table import render, row, verdict
from bench.whatif_load import (
    SOURCE,
    USERS,
    clients_setup,
    load_run,
    serving_service,
    varied_records,
)
from config import Settings
from data.db import Database
from data.spec import load_spec
from data.stores import PredictionLog
from data.users import UserStore
from tests.nginx import find_nginx
from tests.postgres import PostgresCluster, PostgresUnavailable, server_bin
from tests.scale.redis_server import RedisServer

PG_PORTS, REDIS_PORTS = range(55500, 55600), range(56500, 56600)


class Services:
    """A throwaway PostgreSQL cluster and redis-server on loopback; a context manager."""

    def __enter__(self) -> Services:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on the PATH")
        self.folder = tempfile.mkdtemp(prefix="flightdeck-two-redis-")
        self.postgres = PostgresCluster(server_bin(), free_port_in(PG_PORTS))
        try:
            self.postgres.start()
            port = free_port_in(REDIS_PORTS)
            self.redis = RedisServer(binary, Path(self.folder), port).start()
        except BaseException:
            self.postgres.stop()
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.redis.stop()
        self.postgres.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def prepared_database(services: Services, real: Settings) -> tuple[str, tuple]:
    """An empty database, migrated, serving the home's champion, with an analyst."""
    url = services.postgres.database()
    copy_aliases(url, real)
    name, password = "bench", secrets.token_urlsafe(16)
    database = Database(url).migrate()
    UserStore(database).add(name, "analyst", password)
    database.dispose()
    return url, (name, password)


def shared_env(url: str, redis_url: str, real: Settings) -> dict:
    """What every instance shares: the database, Redis, the artifacts and the key."""
    return {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "FLIGHTDECK_RATELIMIT_STORAGE": redis_url.rsplit("/", 1)[0] + "/1",
        "FLIGHTDECK_ARTIFACTS": str(real.artifacts_dir),
        "SECRET_KEY": secrets.token_hex(32),
        "FLIGHTDECK_SPEC": str(real.spec_path),
    }


def whatifs_logged(url: str) -> int:
    log_ = PredictionLog(Database(url))
    found = log_.count(SOURCE)
    log_.database.dispose()
    return found


class Target:
    """What locust and the request shapes are pointed at: one base URL."""

    def __init__(self, base: str):
        self.base = base


def one_run(name: str, fleet: Fleet, base: str, setup: dict, seconds: int) -> dict:
    """locust against `base`; the stats, the log count and each instance's share."""
    bodies, cookies = clients_setup(
        Target(base),
        setup["credentials"],
        setup["service"],
        setup["records"],
        setup["folder"],
    )
    before_log = whatifs_logged(setup["url"])
    before = [len(i.answered_ids()) for i in fleet.instances]
    log(f"two instances: {name}, locust {USERS} clients x {seconds} s")
    found = load_run(base, bodies, cookies, seconds)
    found["logged"] = whatifs_logged(setup["url"]) - before_log
    found["shares"] = [
        len(i.answered_ids()) - b for i, b in zip(fleet.instances, before, strict=True)
    ]
    return {"name": name, **found, "loadavg": os.getloadavg()}


def measure(real: Settings, seconds: int, workers: int) -> dict:
    """The three runs: one instance directly, through nginx, two through nginx."""
    nginx = find_nginx()
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    spec = load_spec(real.spec_path)
    runs = []
    info = {"seconds": seconds, "workers": workers, "users": USERS}
    info["load_before"] = os.getloadavg()
    with (
        Services() as services,
        tempfile.TemporaryDirectory(prefix="flightdeck-two-") as folder,
    ):
        url, credentials = prepared_database(services, real)
        service = serving_service(real, spec, url)
        setup = {
            "url": url,
            "credentials": credentials,
            "service": service,
            "records": varied_records(real, spec, service),
            "folder": folder,
        }
        env = shared_env(url, services.redis.url, real)
        for count in (1, 2):
            where = Path(folder) / f"fleet-{count}"
            with Fleet(nginx, where, real.home, env, count, workers) as fleet:
                if count == 1:
                    base = fleet.instances[0].base
                    runs.append(
                        one_run("1 instance, direct", fleet, base, setup, seconds)
                    )
                name = f"{count} instance{'s' * (count > 1)} behind nginx"
                runs.append(one_run(name, fleet, fleet.url, setup, seconds))
    return {**info, "runs": runs}


def rows(found: dict) -> list[tuple]:
    """Each run's predictions/s and p95 against the one-instance-behind-nginx run."""
    runs = {r["name"]: r for r in found["runs"]}
    base = runs["1 instance behind nginx"]
    out = []
    for run in found["runs"]:
        answered = run["requests"] - run["failures"]
        shares = "/".join(str(s) for s in run["shares"])
        out.append(
            row(
                f"{run['name']} ({found['workers']} workers each), "
                f"{found['users']} analysts x {found['seconds']} s",
                f"{run['rps']:,.0f} predictions/s, p50 {run['p50_ms']:.0f} ms, "
                f"p95 {run['p95_ms']:.0f} ms",
                f"{base['rps']:,.0f}/s, p95 {base['p95_ms']:.0f} ms",
                f"{run['rps'] / base['rps']:.2f}× /s, "
                f"{run['p95_ms'] / base['p95_ms']:.2f}× p95",
                "0 failures, every answer logged",
                verdict(run["failures"] == 0 and run["logged"] >= answered)
                + f" ({run['failures']} failed, {run['logged']:,} logged of "
                f"{answered:,}; answered per instance {shares}; "
                f"load {run['loadavg'][0]:.1f})",
            )
        )
    return out


def run_two_instances(
    real: Settings | None = None, quick: bool = False, workers: int = 2
) -> dict:
    """The section for bench.run: its results and rows, or one row saying why it did not
    run (no nginx, PostgreSQL or redis-server here)."""
    try:
        found = measure(real or Settings.from_env(), 8 if quick else 20, workers)
    except (RuntimeError, PostgresUnavailable) as exc:
        return {
            "skipped": str(exc),
            "rows": [row("Two instances behind nginx", f"skipped: {exc}")],
        }
    found["rows"] = rows(found)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.two_instances")
    parser.add_argument("--quick", action="store_true", help="8 s a run, not 20 s")
    parser.add_argument("--workers", type=int, default=2, help="per instance (2)")
    args = parser.parse_args(argv)
    found = run_two_instances(quick=args.quick, workers=args.workers)
    print(render(found.pop("rows")))


if __name__ == "__main__":
    main()
