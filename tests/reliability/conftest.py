"""Servers for the reliability tests: real gunicorn on loopback, stopped after each use."""

from __future__ import annotations

import pytest

from tests.reliability.harness import Gunicorn, copy_home


@pytest.fixture()
def start_gunicorn(small_settings, tmp_path_factory):
    """Start gunicorn on a fresh copy of the small home; every one is stopped at the end."""
    started: list[Gunicorn] = []

    def start(**env) -> Gunicorn:
        home = copy_home(small_settings.home, tmp_path_factory.mktemp("served"))
        server = Gunicorn(home, **env)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def shared_gunicorn(small_settings, tmp_path_factory):
    """One server for a module's read-mostly tests (hostile input, slow clients)."""
    home = copy_home(small_settings.home, tmp_path_factory.mktemp("shared"))
    server = Gunicorn(home).start()
    yield server
    server.stop()
