"""Faults a server meets: a locked database, and clients that connect and never finish."""

from __future__ import annotations

import socket
import sqlite3
import time

import pytest
import requests

from tests.reliability.harness import answered_request_id, predict, signed_in


def test_a_locked_database_refuses_predictions_clearly_and_readyz_says_so(
    start_gunicorn, app_context
):
    server = start_gunicorn()
    client = signed_in(server.url)
    defaults = app_context.service.defaults()
    assert answered_request_id(predict(client, defaults))
    rows_before = server.log.count()

    holder = sqlite3.connect(server.home / "flightdeck.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        ready = requests.get(f"{server.url}/readyz", timeout=10)
        refused = predict(client, defaults, timeout=30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert ready.status_code == 503
    assert "database is locked" in ready.json()["reason"]
    assert refused.status_code == 200 and answered_request_id(refused) is None
    message = refused.text
    assert "could not be recorded, so it is not shown" in message
    request_id = refused.headers["X-Request-ID"]
    assert request_id in message
    assert server.log.count() == rows_before  # no row, no answer
    log_text = server.server_log()
    assert (
        f"prediction {request_id} refused: not logged: database is locked" in log_text
    )
    assert "Traceback" not in log_text

    assert requests.get(f"{server.url}/readyz", timeout=10).status_code == 200
    assert answered_request_id(predict(client, defaults))
    assert server.log.count() == rows_before + 1


def _connections(url: str, count: int, first_bytes: bytes) -> list[socket.socket]:
    """Connections that send `first_bytes` (maybe none) and then nothing more."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        conn = socket.create_connection((host, int(port)), timeout=5)
        if first_bytes:
            conn.sendall(first_bytes)
        sockets.append(conn)
    return sockets


PARTIAL_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
# gunicorn.conf.py's default per worker. A connection stuck mid-headers holds a thread, and
# gthread lends each new connection a thread for up to 5 s while it waits for bytes; more
# slow clients than that need a buffering proxy in front (nginx).
THREADS = 8


@pytest.mark.parametrize(
    "kind, count, first_bytes",
    [
        ("silent", 3, b""),
        ("silent", THREADS - 1, b""),
        ("mid-headers", 3, PARTIAL_HEADERS),
        ("mid-headers", THREADS - 1, PARTIAL_HEADERS),  # even all on one worker
    ],
)
def test_half_open_connections_do_not_stop_healthz(
    shared_gunicorn, kind, count, first_bytes
):
    slow = _connections(shared_gunicorn.url, count, first_bytes)
    try:
        time.sleep(0.5)
        started = time.perf_counter()
        response = requests.get(f"{shared_gunicorn.url}/healthz", timeout=5)
        waited = time.perf_counter() - started
    finally:
        for conn in slow:
            conn.close()
    print(f"\n[slow] {count} {kind} connections: /healthz in {waited * 1000:.0f} ms")
    assert response.status_code == 200
