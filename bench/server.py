"""A Flightdeck server subprocess on a free 127.0.0.1 port: start, wait for /readyz, RSS, stop."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from config import Settings
from data.aliases import AliasStore
from data.db import Database
from data.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_argv(kind: str, which: str) -> list[str]:
    """How to start the main app ("main") or the 10x-rows app ("tenx"), by `kind`."""
    if kind == "gunicorn":
        target = "app:server" if which == "main" else "bench.serve10x:server"
        return [
            *(sys.executable, "-m", "gunicorn", target),
            *("--bind", f"{HOST}:{{port}}", "--workers", "1", "--timeout", "180"),
            "--no-control-socket",
        ]
    if which == "main":
        return [sys.executable, "app.py"]
    return [sys.executable, "-m", "bench.serve10x"]


def production_argv(workers: int) -> list[str]:
    """gunicorn as the Procfile runs it (gunicorn.conf.py: gthread, --preload), with
    `workers` workers on the bench's port."""
    return [
        *(sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"),
        *("--bind", f"{HOST}:{{port}}", "--workers", str(workers)),
    ]


class Server:
    """A Flightdeck server subprocess on 127.0.0.1; use it as a context manager."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env_extra: dict | None = None,
        log_path: Path | None = None,
    ):
        self.name = name
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = {
            **os.environ,
            "HOST": HOST,
            "PORT": str(self.port),
            "FLIGHTDECK_AUTO_BUILD": "0",
            "FLIGHTDECK_DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            **(env_extra or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.log_path = log_path or RESULTS / f"server-{name}.log"

    @classmethod
    def for_app(cls, kind: str, which: str, database_url: str) -> Server:
        """The app served by `kind`, logging its predictions to `database_url`."""
        # A random key: gunicorn (production) refuses to start without one.
        env = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32)}
        return cls(which, server_argv(kind, which), env)

    def __enter__(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.started = time.perf_counter()
        self.proc = start_process(self.argv, self._log, self.env)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, timeout: float) -> float:
        """Seconds from process start to the first 200 from /readyz."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} server exited with {self.proc.returncode}; "
                    f"see {self.log_path}"
                )
            try:
                if requests.get(self.base + "/readyz", timeout=1.0).status_code == 200:
                    return time.perf_counter() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.02)
        raise RuntimeError(
            f"{self.name} server not ready after {timeout:.0f}s; see {self.log_path}"
        )

    def readyz(self) -> dict:
        return requests.get(self.base + "/readyz", timeout=REQUEST_TIMEOUT).json()

    def reported_build_s(self) -> float | None:
        """The context build time the server logs itself ("... ready in 9.8s"), if it did."""
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8")
        found = re.findall(r"ready in ([0-9.]+)s", text)
        return float(found[-1]) if found else None

    def rss_mb(self) -> dict:
        """RSS of the server process and its children (gunicorn workers), in MB."""
        proc = psutil.Process(self.proc.pid)
        each = {proc.pid: proc.memory_info().rss}
        for child in proc.children(recursive=True):
            try:
                each[child.pid] = child.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return {
            "largest_process": max(each.values()) / 2**20,
            "total": sum(each.values()) / 2**20,
            "processes": len(each),
        }

    def cpu_seconds(self) -> dict[int, float]:
        """CPU seconds used so far by each of its processes (gunicorn: the master first)."""
        master = psutil.Process(self.proc.pid)
        used = {}
        for proc in [master, *master.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used[proc.pid] = times.user + times.system
        return used

    def stop(self) -> None:
        """Terminate the server, then kill any child it left (by pid, nothing else)."""
        if self.proc is None:
            return
        stop_process(self.proc)
        self._log.close()
        self.proc = None


def start_process(argv: list[str], log, env: dict | None = None) -> subprocess.Popen:
    """A process of ours from the project's folder, its output (both streams) in `log`,
    nothing on its stdin; `stop_process` ends it."""
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def stop_process(proc: subprocess.Popen, wait_s: float = 10) -> None:
    """Terminate a process we started (killed if it does not end within `wait_s`), then
    kill any child it left behind, by pid, nothing else."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def copy_aliases(to_url: str, real: Settings | None = None) -> None:
    """The real database's model aliases in a throwaway one, so it serves the champion."""
    real = real or Settings.from_env()
    dataset = load_spec(real.spec_path).name
    target = AliasStore(Database(to_url).migrate(), dataset)
    for alias, version in (
        AliasStore(Database(real.database).migrate(), dataset).all().items()
    ):
        target.move(alias, version, "bench", "copied for the run")
