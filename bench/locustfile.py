"""The bench's load clients for locust; the bench names the one to run.

- `ApiClient` (bench/delivery.py): single-record POST /api/v1/predict.
- `WhatIfClient` (bench/whatif_load.py): the Predict page's callback, POST
  /_dash-update-component with the body the browser sends when an input changes.

Each sends as fast as it is answered (no wait between requests). The bench passes what they
need in the environment: FLIGHTDECK_BENCH_KEY and FLIGHTDECK_BENCH_RECORDS (a JSON list) for
the API; FLIGHTDECK_BENCH_BODIES (a JSON file of callback bodies), FLIGHTDECK_BENCH_COOKIES
(a JSON list of signed-in session cookies; none when the app runs open),
FLIGHTDECK_BENCH_RESULT (the id of the prediction's output), FLIGHTDECK_BENCH_NAME (the
request's name in the stats) and FLIGHTDECK_BENCH_AGENT (the User-Agent the sessions were
signed in with) for the what-if. So this file holds no secret and no data.
"""

from __future__ import annotations

import itertools
import json
import os
from functools import cache

from locust import FastHttpUser, task

RECORDS = json.loads(os.environ.get("FLIGHTDECK_BENCH_RECORDS", "[]"))
KEY = os.environ.get("FLIGHTDECK_BENCH_KEY", "")
RESULT = os.environ.get("FLIGHTDECK_BENCH_RESULT", "")
WHATIF = os.environ.get("FLIGHTDECK_BENCH_NAME", "what-if")
_turns = itertools.count()
_sessions = itertools.count()


class ApiClient(FastHttpUser):
    """One client of the JSON API sending one record per request."""

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {KEY}"}

    @task
    def predict_one(self) -> None:
        record = RECORDS[next(_turns) % len(RECORDS)]
        with self.client.post(
            "/api/v1/predict",
            json=record,
            headers=self.headers,
            catch_response=True,
            name="POST /api/v1/predict",
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}: {reply.text[:120]}")


@cache
def callback_bodies() -> list[str]:
    """The what-if bodies, read once per locust process."""
    with open(os.environ["FLIGHTDECK_BENCH_BODIES"], encoding="utf-8") as handle:
        return [json.dumps(body) for body in json.load(handle)]


def shown_prediction(text: str) -> bool:
    """The callback answered with a prediction (not a message in its place)."""
    try:
        outputs = json.loads(text)["response"]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(outputs.get(RESULT, {}).get("children"))


class WhatIfClient(FastHttpUser):
    """One signed-in analyst on the Predict page, each input change one callback request."""

    def on_start(self) -> None:
        self.headers = {
            "Content-Type": "application/json",
            "User-Agent": os.environ.get("FLIGHTDECK_BENCH_AGENT", "locust"),
        }
        cookies = json.loads(os.environ.get("FLIGHTDECK_BENCH_COOKIES", "[]"))
        if cookies:  # one session per client, signed in by the bench beforehand
            self.headers["Cookie"] = cookies[next(_sessions) % len(cookies)]

    @task
    def change_input(self) -> None:
        bodies = callback_bodies()
        with self.client.post(
            "/_dash-update-component",
            data=bodies[next(_turns) % len(bodies)],
            headers=self.headers,
            catch_response=True,
            name=WHATIF,
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}: {reply.text[:120]}")
            elif not shown_prediction(reply.text):
                reply.failure(f"no prediction shown: {reply.text[:120]}")
