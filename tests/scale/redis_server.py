"""A throwaway redis-server on loopback for the scale tests, and when those tests run.

They run when `redis-server` is on the PATH and celery and redis (the Python client) are
installed; otherwise they skip, saying what is missing, except in CI (CI=true), where a
missing piece fails them: `make test` installs all three.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from bench.server import HOST, free_port, start_process, stop_process

START_TIMEOUT_S = 10.0


def missing_or_fail(reason: str) -> None:
    """Skip with the reason, but fail in CI, where everything the tests need is installed."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: `make test` installs it)")
    pytest.skip(reason)


def need_celery() -> None:
    """celery and the redis client must be importable."""
    for package in ("celery", "redis"):
        if importlib.util.find_spec(package) is None:
            missing_or_fail(f"the Python package {package} is not installed")


def need_redis_server() -> str:
    """The redis-server binary (Debian's redis-server package)."""
    found = shutil.which("redis-server")
    if found is None:
        missing_or_fail(
            "redis-server is not on the PATH (apt-get install redis-server)"
        )
    return found


class RedisServer:
    """`redis-server` on 127.0.0.1 and a free port, keeping nothing on disk."""

    def __init__(self, binary: str, folder: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.log_path = Path(folder) / f"redis-{self.port}.log"
        self.argv = [
            binary,
            *("--port", str(self.port), "--bind", HOST),
            *("--save", "", "--appendonly", "no"),
            *("--dir", str(folder)),
        ]
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.proc = start_process(self.argv, self._log)
        self._wait_ping()
        return self

    def _wait_ping(self) -> None:
        import redis

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc)
        self._log.close()
        self.proc = None
