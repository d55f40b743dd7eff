"""The API load for `bench/delivery.py`: single-record POST /api/v1/predict, as fast as
each simulated client can send them (no wait between requests).

The bench passes the key and the records in the environment (FLIGHTDECK_BENCH_KEY,
FLIGHTDECK_BENCH_RECORDS, a JSON list), so this file holds no secret and no data.
"""

from __future__ import annotations

import itertools
import json
import os

from locust import FastHttpUser, task

RECORDS = json.loads(os.environ.get("FLIGHTDECK_BENCH_RECORDS", "[]"))
KEY = os.environ.get("FLIGHTDECK_BENCH_KEY", "")
_turns = itertools.count()


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
