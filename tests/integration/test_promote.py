"""Promote and roll back through the CLI, as a team would, while an app is serving."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from app import build_context, create_app
from config import ROOT
from tests.conftest import add_test_users
from tests.integration.dash_requests import sign_in


def _quiet(_message: str) -> None:
    pass


@pytest.fixture()
def cli(two_version_home):
    settings = two_version_home[0]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(settings.home)}
    env["FLIGHTDECK_HOME"] = str(settings.home)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "model.registry", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_promote_rollback_and_challenger_are_recorded(two_version_home, cli):
    _, registry, old, new = two_version_home
    result = cli("promote", old, "--note", "holdout AUC better", "--by", "ada")
    assert result.returncode == 0 and f"champion: {new} -> {old}" in result.stdout
    assert registry.resolve("champion") == old
    assert cli("rollback", "--by", "ada").returncode == 0
    assert registry.resolve("champion") == new
    assert cli("set-challenger", "none").returncode == 0
    assert "challenger" not in registry.aliases()
    moves = registry.alias_store.history(3)
    assert [m.action for m in moves] == ["set", "rollback", "set"]
    assert (moves[2].user, moves[2].note) == ("ada", "holdout AUC better")
    listing = cli("list").stdout
    assert f"{new}" in listing and "[champion]" in listing and "rollback" in listing


def test_refusals_are_one_line_and_change_nothing(two_version_home, cli):
    _, registry, _, new = two_version_home
    result = cli("promote", "v-nope")
    assert result.returncode == 1 and "no model version 'v-nope'" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli("rollback")  # only one champion was ever set in this database
    assert result.returncode == 1 and "no earlier champion" in result.stderr
    assert registry.resolve("champion") == new
    assert len(registry.alias_store.history()) == 2  # the fixture's two moves only
    assert cli("frobnicate").returncode == 2


def test_a_running_app_serves_a_promote_within_two_seconds(two_version_home, cli):
    settings, registry, old, new = two_version_home
    settings = settings.with_overrides(alias_poll_s=0.5)
    ctx = build_context(settings, progress=_quiet)
    add_test_users(ctx.users)
    client = sign_in(create_app(settings, context=ctx).server.test_client(), "ana")
    assert client.get("/readyz").get_json()["model_version"] == new
    assert cli("promote", old).returncode == 0
    deadline, seen = time.monotonic() + 2.0, None
    while time.monotonic() < deadline and seen != old:
        seen = client.get("/readyz").get_json()["model_version"]
        time.sleep(0.1)
    assert seen == old
    answer = ctx.service.predict(ctx.service.defaults(), user="ana")
    assert answer.version == old == ctx.log.recent(1)[0]["model_version"]
