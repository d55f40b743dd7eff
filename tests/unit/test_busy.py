"""The busy gate: callbacks and API predictions take turns, everything else passes."""

from __future__ import annotations

import threading
import time

from flask import Flask

from server import busy


def _app(limit: int, entered: threading.Event, release: threading.Event) -> Flask:
    app = Flask(__name__)
    busy.register(app, limit)
    inside = {"now": 0, "most": 0}
    lock = threading.Lock()

    @app.post("/_dash-update-component")
    def callback():
        with lock:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
        entered.set()
        release.wait(5)
        with lock:
            inside["now"] -= 1
        return {"ok": True}

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    app.config["inside"] = inside
    return app


def test_one_turn_at_a_time_and_others_pass():
    entered, release = threading.Event(), threading.Event()
    app = _app(1, entered, release)
    codes = []

    def post():
        codes.append(app.test_client().post("/_dash-update-component").status_code)

    workers = [threading.Thread(target=post) for _ in range(3)]
    for worker in workers:
        worker.start()
    assert entered.wait(5)
    time.sleep(0.2)
    # A scoring request holds the turn; a health check is not kept waiting.
    assert app.config["inside"]["now"] == 1
    assert app.test_client().get("/healthz").status_code == 200
    release.set()
    for worker in workers:
        worker.join(10)
    assert codes == [200, 200, 200]
    assert app.config["inside"]["most"] == 1


def test_an_overloaded_process_says_so(monkeypatch):
    monkeypatch.setattr(busy, "WAIT_S", 0.2)
    entered, release = threading.Event(), threading.Event()
    app = _app(1, entered, release)
    holder = threading.Thread(
        target=lambda: app.test_client().post("/_dash-update-component")
    )
    holder.start()
    assert entered.wait(5)
    refused = app.test_client().post("/_dash-update-component")
    release.set()
    holder.join(10)
    assert refused.status_code == 503
    assert "busy" in refused.get_json()["message"]
    # The turn came back: the next one is served.
    assert app.test_client().post("/_dash-update-component").status_code == 200


def test_no_gate_when_the_limit_is_zero():
    app = Flask(__name__)
    busy.register(app, 0)
    assert not app.before_request_funcs
