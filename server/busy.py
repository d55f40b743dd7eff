"""At most a few requests of a process doing CPU work at once: the rest wait their turn.

gunicorn's threads (8 a worker) are there so slow clients and idle keep-alive connections
do not tie up a worker. But scoring holds the GIL, so 8 threads scoring at once only
take turns at one core, with more switching and much longer tails. Callbacks and API
predictions take one of `limit` turns here; everything else (pages, assets, /healthz)
passes freely. bench.whatif_load: 8 threads scoring at once 155-160 what-ifs/s, p99
0.9-1.2 s; 2 turns 205-231/s, p99 170 ms.
"""

from __future__ import annotations

import threading

from flask import g, request

from server.responses import json_error

GATED = ("/_dash-update-component", "/api/v1/predict")
WAIT_S = 30.0  # longer than this in the queue: the process is overloaded, say so


def register(server, limit: int) -> None:
    """Gate the CPU-heavy routes of `server` to `limit` at once (0: no gate)."""
    if limit <= 0:
        return
    turns = threading.BoundedSemaphore(limit)

    @server.before_request
    def take_turn():
        if request.method != "POST" or not request.path.startswith(GATED):
            return None
        if not turns.acquire(timeout=WAIT_S):
            return json_error(503, "the server is busy: try again in a moment")
        g.busy_turn = True
        return None

    @server.teardown_request
    def give_turn(_exc):
        if g.pop("busy_turn", False):
            turns.release()
