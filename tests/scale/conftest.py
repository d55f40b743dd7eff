"""tests/scale: the database tests again, on a throwaway PostgreSQL cluster.

The cluster starts once per session (tests/postgres.py) and each test gets an empty
database of its own through the `database_url` fixture, which overrides the SQLite one of
tests/conftest.py. Tests a unit module brings along that never ask for `database_url` (pure
functions, SQLite-only checks) have nothing to check on PostgreSQL and are deselected.

Without PostgreSQL the tests skip, saying why; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.postgres import PostgresUnavailable, start_cluster
from tests.scale.redis_server import RedisServer, need_celery, need_redis_server

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        inside = HERE in Path(str(item.path)).resolve().parents
        function = getattr(item, "function", None)
        brought = getattr(function, "__module__", "").startswith("tests.unit.")
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        (drop if inside and brought and not uses_database else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def postgres():
    """A started PostgreSQL cluster for the session; skipped (failed in CI) without one."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        reason = f"PostgreSQL is not available: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the scale tests must run)")
        pytest.skip(reason)
    yield cluster
    cluster.stop()


@pytest.fixture()
def database_url(postgres):
    """An empty PostgreSQL database of this test's own, dropped after it."""
    url = postgres.database()
    yield url
    postgres.drop(url)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server on loopback for the module; skipped (failed in CI) without one."""
    need_celery()
    server = RedisServer(need_redis_server(), tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()
