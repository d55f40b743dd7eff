"""Concurrent what-if clients against a real server, counting what was acknowledged."""

from __future__ import annotations

import collections
import random
import threading
import time
from dataclasses import dataclass, field

import requests

from tests.reliability.harness import answered_request_id, predict, signed_in


@dataclass
class Tally:
    """What the clients saw: acknowledged request ids, and errors by kind."""

    acked: list[str] = field(default_factory=list)
    errors: collections.Counter = field(default_factory=collections.Counter)
    requests: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request_id: str | None, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            if request_id:
                self.acked.append(request_id)
            if error:
                self.errors[error] += 1

    @property
    def rate(self) -> float:
        return len(self.acked) / self.seconds if self.seconds else 0.0


def _client(base_url: str, defaults: dict, until: float, tally: Tally, seed: int):
    """One client's loop; anything unexpected is counted, never lost with the thread."""
    try:
        _requests(base_url, defaults, until, tally, seed)
    except Exception as exc:  # noqa: BLE001 - reported through the tally
        tally.add(None, f"unexpected: {type(exc).__name__}: {str(exc)[:80]}")


def _requests(base_url: str, defaults: dict, until: float, tally: Tally, seed: int):
    rng = random.Random(seed)
    try:
        client = signed_in(base_url, "ana")
    except (requests.RequestException, RuntimeError) as exc:
        tally.add(None, f"sign-in: {type(exc).__name__}")
        return
    while time.monotonic() < until:
        values = {**defaults, "hour": rng.randint(5, 23)}
        try:
            response = predict(client, values, timeout=30)
            request_id = answered_request_id(response)
        except requests.exceptions.JSONDecodeError:
            # A worker killed mid-answer: the status line came, the body did not.
            tally.add(None, "connection: truncated answer")
            continue
        except requests.RequestException as exc:
            tally.add(None, f"connection: {type(exc).__name__}")
            continue
        # An answer without its request id keeps its first words, to say what it was.
        unanswered = f"HTTP {response.status_code}: {response.text[:300]}"
        tally.add(request_id, None if request_id else unanswered)


def run_clients(
    base_url: str, defaults: dict, clients: int = 20, seconds: float = 20, during=None
) -> Tally:
    """`clients` threads posting what-if predictions for `seconds`; `during()` runs alongside."""
    tally = Tally()
    started = time.monotonic()
    until = started + seconds
    threads = [
        threading.Thread(target=_client, args=(base_url, defaults, until, tally, n))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    if during is not None:
        during()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    tally.seconds = time.monotonic() - started
    return tally
