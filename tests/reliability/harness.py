"""A real gunicorn (the Procfile's config) on loopback, and HTTP clients that sign in to it.

Each server gets its own copy of the small test home (data, model, score cache) and its own
SQLite log, with one user per role.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from config import ROOT
from data.db import Database
from data.stores import PredictionLog
from data.users import UserStore
from tests.conftest import PASSWORD, TEST_SECRET, add_test_users
from tests.integration.dash_requests import csrf_token, output_spec, pattern_inputs

PREDICT_CHANGED = '{"column":"hour","type":"predict-input"}.value'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_home(source: Path, target: Path) -> Path:
    """The data, model and score cache of `source`, with a fresh database and test users."""
    for part in ("data", "artifacts", "cache"):
        if (source / part).exists():
            shutil.copytree(source / part, target / part)
    add_test_users(
        UserStore(Database(f"sqlite:///{target / 'flightdeck.db'}").migrate())
    )
    return target


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py app:server` in a subprocess, stopped by stop()."""

    def __init__(self, home: Path, **env):
        self.home = Path(home)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "server.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "FLIGHTDECK_HOME": str(self.home),
            "FLIGHTDECK_AUTO_BUILD": "0",
            "SECRET_KEY": TEST_SECRET,
            "BIND_HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            **env,
        }
        self.process: subprocess.Popen | None = None

    @property
    def database(self) -> Database:
        return Database(f"sqlite:///{self.home / 'flightdeck.db'}")

    @property
    def log(self) -> PredictionLog:
        return PredictionLog(self.database)

    def start(self, timeout: float = 90) -> Gunicorn:
        handle = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.server_log()[-2000:]}")
            try:
                if requests.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn not ready in {timeout}s: {self.server_log()[-2000:]}"
        )

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def wait_for_workers(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.workers()) < count and time.monotonic() < deadline:
            time.sleep(0.2)

    def server_log(self) -> str:
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def signed_in(base_url: str, name: str = "ana") -> requests.Session:
    """A requests session signed in through the login form."""
    session = requests.Session()
    token = csrf_token(session.get(f"{base_url}/login", timeout=10).text)
    response = session.post(
        f"{base_url}/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    return session


class DashHttp:
    """The callbacks a browser posts, over real HTTP: shapes from /_dash-dependencies."""

    def __init__(self, session: requests.Session, base_url: str):
        self.session, self.base_url = session, base_url
        self.outputs = [
            dep["output"]
            for dep in session.get(f"{base_url}/_dash-dependencies", timeout=10).json()
        ]

    def output(self, contains: str) -> str:
        return next(o for o in self.outputs if contains in o)

    def post(self, payload, timeout: float = 30, **kwargs) -> requests.Response:
        return self.session.post(
            f"{self.base_url}/_dash-update-component",
            json=payload,
            timeout=timeout,
            **kwargs,
        )

    def predict(self, values: dict, timeout: float = 30) -> requests.Response:
        output = self.output("predict-result.children")
        return self.post(
            {
                "output": output,
                "outputs": output_spec(output),
                "inputs": [pattern_inputs("predict-input", values)],
                "changedPropIds": [PREDICT_CHANGED],
                "state": [],
            },
            timeout=timeout,
        )


def answered_request_id(response: requests.Response) -> str | None:
    """The request id a prediction answer shows (data-testid=request-id), or None."""
    if response.status_code != 200:
        return None
    request_id = response.headers.get("X-Request-ID")
    shown = f'"children": "request {request_id}"'
    return request_id if shown in json.dumps(response.json()) else None
