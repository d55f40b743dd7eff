"""A real gunicorn (the Procfile's config) on loopback, and clients signed in to it.

The server is the bench's `Server` with gunicorn.conf.py; the client is the bench's
`DashClient`, so tests and the bench speak to Flightdeck one way. Each server gets its own
copy of the small test home (data, model, score cache), its own SQLite log and test users.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import psutil
import requests

from bench.dash_client import DashClient, callback_outputs
from bench.server import HOST, Server
from data.aliases import AliasStore
from data.db import Database
from data.stores import PredictionLog
from data.users import UserStore
from tests.conftest import PASSWORD, TEST_SECRET, add_test_users
from tests.integration.dash_requests import pattern_inputs

PREDICT_CHANGED = '{"column":"hour","type":"predict-input"}.value'
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"]


def copy_home(source: Path, target: Path, dataset: str = "flights") -> Path:
    """The data, models and score cache of `source`, with a fresh database holding the
    same aliases (they live in the database) and the test users."""
    for part in ("data", "artifacts", "cache"):
        if (source / part).exists():
            shutil.copytree(source / part, target / part)
    database = Database(f"sqlite:///{target / 'flightdeck.db'}").migrate()
    add_test_users(UserStore(database))
    source_db = Database(f"sqlite:///{source / 'flightdeck.db'}").migrate()
    aliases = AliasStore(database, dataset)
    for alias, version in AliasStore(source_db, dataset).all().items():
        aliases.move(alias, version, "tests", "copied")
    return target


class Gunicorn(Server):
    """`gunicorn -c gunicorn.conf.py app:server` on one home, with 2 workers."""

    def __init__(self, home: Path, **env):
        self.home = Path(home)
        settings = {
            "FLIGHTDECK_HOME": str(self.home),
            "DATABASE_URL": f"sqlite:///{self.home / 'flightdeck.db'}",
            "FLIGHTDECK_AUTH": "on",
            "SECRET_KEY": TEST_SECRET,
            "BIND_HOST": HOST,
            "WEB_CONCURRENCY": "2",
            **env,
        }
        super().__init__("gunicorn", GUNICORN, settings, self.home / "server.log")

    @property
    def url(self) -> str:
        return self.base

    @property
    def database(self) -> Database:
        return Database(f"sqlite:///{self.home / 'flightdeck.db'}")

    @property
    def log(self) -> PredictionLog:
        return PredictionLog(self.database)

    def start(self, timeout: float = 90) -> Gunicorn:
        self.__enter__()
        self.wait_ready(timeout)
        return self

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children()

    def wait_for_workers(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.workers()) < count and time.monotonic() < deadline:
            time.sleep(0.2)

    def server_log(self) -> str:
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )


def signed_in(base_url: str, name: str = "ana") -> DashClient:
    """The bench's Dash client, signed in through the login form."""
    return DashClient(base_url, (name, PASSWORD))


def predict(client: DashClient, values: dict, timeout: float = 30) -> requests.Response:
    """The Predict callback with these form values, as the browser posts it."""
    output = client.callback("predict-result.children")["output"]
    body = {
        "output": output,
        "outputs": callback_outputs(output),
        "inputs": [pattern_inputs("predict-input", values)],
        "changedPropIds": [PREDICT_CHANGED],
        "state": [],
    }
    return client.send(body, timeout=timeout)


def answered_request_id(response: requests.Response) -> str | None:
    """The request id a prediction answer shows (data-testid=request-id), or None."""
    if response.status_code != 200:
        return None
    request_id = response.headers.get("X-Request-ID")
    shown = f'"children": "request {request_id}"'
    return request_id if shown in json.dumps(response.json()) else None
