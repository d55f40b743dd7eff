"""The winter story, end to end: held-out flights replayed through the real service into a
SQLite file, outcomes attached, then the Monitor's report and `python -m model.monitor check`
(with its webhook) read what happened."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pandas as pd
import pytest
import sqlalchemy as sa

from config import DEFAULT_SPEC, Settings
from data.db import Database
from data.ingest import ingest
from data.spec import load_spec
from data.tables import predictions
from model.train import load_processed, registry_for, train
from monitor.keys import event_keys
from monitor.report import Monitored, build_report
from monitor.report_types import Window
from tests.conftest import TEST_SECRET, TINY_PARAMS
from tests.integration.cli import module_runner

SAMPLE = 20_000  # about 3,300 held-out flights (Oct 31 to Dec 31)
REPLAYED = 3000


def _quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module")
def winter(tmp_path_factory):
    """A flights home whose log holds 3,000 replayed winter flights with their outcomes."""
    home = tmp_path_factory.mktemp("winter")
    settings = Settings(
        spec_path=DEFAULT_SPEC, home=home, auto_build=False, secret_key=TEST_SECRET
    )
    spec = load_spec(DEFAULT_SPEC)
    ingest(settings, spec, sample=SAMPLE, progress=_quiet)
    train(settings, spec, params=TINY_PARAMS, progress=_quiet)
    replay = module_runner("model.replay", home, timeout=300)
    done = replay("--limit", str(REPLAYED))
    assert done.returncode == 0, done.stderr
    return settings, spec


def _monitored(settings, spec) -> Monitored:
    database = Database(settings.database).migrate()
    return Monitored(database, spec, registry_for(settings, spec, database))


def _replayed(settings, spec, database) -> pd.DataFrame:
    """The data rows the replay logged, found by their event keys."""
    frame, _ = load_processed(settings, spec, _quiet, build=False)
    with database.engine.connect() as connection:
        logged = set(connection.execute(sa.select(predictions.c.event_key)).scalars())
    keys = event_keys(frame, spec.monitor.keys)
    return frame[keys.isin(logged)]


def test_the_report_tells_the_winter_story(winter):
    settings, spec = winter
    monitored = _monitored(settings, spec)
    report = build_report(
        monitored, Window(dt.date(2013, 10, 31), dt.date(2013, 12, 31), "week")
    )
    assert report.totals["n"] == REPLAYED
    assert report.totals["labeled"] > 0.95 * REPLAYED  # cancelled flights have none
    drifted = set(report.drift.loc[report.drift["flagged"], "feature"])
    assert {"temp", "visib"} <= drifted, report.drift.to_string()

    rows = _replayed(settings, spec, monitored.database)
    assert len(rows) == REPLAYED
    known = rows[rows["delayed"].notna()]
    window = report.totals["window"]
    assert window["positive_rate"]["realized"] == pytest.approx(
        (known["delayed"].astype(str) == "1").mean()
    )
    auc = window["auc"]
    assert auc["low"] <= auc["realized"] <= auc["high"], auc
    assert not report.segments.empty and report.segments["enough"].iloc[0]
    assert any(a.name == "drift" for a in report.alerts)


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((self.headers["Content-Type"], json.loads(body.decode())))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received.clear()
    yield f"http://127.0.0.1:{server.server_port}/alerts", _Hook.received
    server.shutdown()


def test_check_exits_non_zero_on_a_breach_and_posts_it(winter, webhook):
    settings, _ = winter
    url, received = webhook
    check = module_runner("model.monitor", settings.home)
    done = check("check", "--webhook", url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ALERT drift: Temperature drifted" in done.stdout
    assert "webhook answered 204" in done.stdout
    (content_type, body), *_ = received
    assert content_type == "application/json"
    assert body["dataset"] == "flights"
    assert {"drift"} <= {a["name"] for a in body["alerts"]}
    assert all({"message", "value", "threshold"} <= set(a) for a in body["alerts"])


def test_check_is_quiet_when_nothing_is_breached(winter, tmp_path, webhook):
    """The same log with loose thresholds: exit 0, and the webhook hears nothing."""
    settings, _ = winter
    url, received = webhook
    text = (
        DEFAULT_SPEC.read_text()
        .replace("psi = 0.25", "psi = 1000.0")
        .replace("auc_drop = 0.05", "auc_drop = 1.0")
    )
    assert "psi = 1000.0" in text and "auc_drop = 1.0" in text
    loose = tmp_path / "loose.toml"
    loose.write_text(text)
    home = tmp_path / "home"
    shutil.copytree(settings.home, home)
    check = module_runner("model.monitor", home)
    env_spec = {"FLIGHTDECK_SPEC": str(loose)}
    done = check("check", "--webhook", url, env=env_spec)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no threshold breached" in done.stdout
    assert received == []


def test_check_without_a_log_says_what_to_run(tmp_path, small_settings):
    home = tmp_path / "empty"
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(small_settings.home / part, home / part)
    done = module_runner("model.monitor", home)("check")
    assert done.returncode == 2
    assert "python -m model.replay" in done.stderr
