"""A real `celery -A worker worker` (the Procfile's worker line) for the scale tests."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.server import ROOT, start_process, stop_process

READY = " ready."  # celery's "celery@host ready." once it takes tasks


def procfile_worker() -> list[str]:
    """The Procfile's `worker:` command, run with this Python's celery."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        kind, _, command = line.partition(":")
        if kind.strip() == "worker":
            program, *args = shlex.split(command)
            assert program == "celery", command
            return [sys.executable, "-m", "celery", *args]
    raise LookupError("the Procfile has no worker: line")


class CeleryWorker:
    """One worker process (one job at a time) with the web app's environment."""

    def __init__(self, env: dict, log_path: Path, name: str = "flightdeck-test"):
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        self.log_path = Path(log_path)
        self.argv = [
            *procfile_worker(),
            *("--concurrency", "1", "--hostname", f"{name}@%h"),
            *("--without-gossip", "--without-mingle"),
        ]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> CeleryWorker:
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.proc = start_process(self.argv, self._log, self.env)
        deadline = time.monotonic() + timeout
        while READY not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the celery worker did not start:\n{self.log()}")
            time.sleep(
                0.05
            )  # not a busy loop rereading the log while the worker starts
            time.sleep(0.2)
        return self

    def log(self) -> str:
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )

    def pids(self) -> set[int]:
        """The worker's main process and its pool's processes."""
        main = psutil.Process(self.proc.pid)
        return {main.pid, *(child.pid for child in main.children(recursive=True))}

    def stop(self) -> None:
        """Stop it (warm shutdown), then kill any pool process it left, by pid."""
        if self.proc is None:
            return
        stop_process(self.proc, wait_s=20)
        self._log.close()
        self.proc = None
