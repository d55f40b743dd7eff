"""`python -m server.users` as an admin runs it: real subprocesses on a real database."""

from __future__ import annotations

import pytest

from data.db import Database
from data.users import UserStore
from tests.integration.cli import module_runner


@pytest.fixture()
def cli(tmp_path):
    run = module_runner("server.users", tmp_path, timeout=60)
    run.store = lambda: UserStore(Database(f"sqlite:///{tmp_path / 'flightdeck.db'}"))
    return run


def test_add_list_set_role_set_password_remove(cli):
    added = cli("add", "Ana", "--role", "analyst", stdin="a long password\n")
    assert added.returncode == 0 and "added ana (analyst)" in added.stdout
    assert cli.store().authenticate("ana", "a long password").role == "analyst"

    listed = cli("list")
    assert (
        listed.returncode == 0 and "ana" in listed.stdout and "analyst" in listed.stdout
    )

    assert cli("set-role", "ana", "admin").stdout.strip() == "ana is now admin"
    assert cli.store().get("ana").role == "admin"

    changed = cli("set-password", "ana", stdin="another password\n")
    assert changed.returncode == 0 and "sessions have ended" in changed.stdout
    assert cli.store().authenticate("ana", "another password") is not None

    assert cli("remove", "ana").returncode == 0
    assert cli.store().get("ana") is None
    assert "no users yet" in cli("list").stdout


@pytest.mark.parametrize(
    "args, stdin, code, words",
    [
        (("add", "bo", "--role", "viewer"), "short\n", 1, "at least 8"),
        (("add", "bo", "--role", "viewer"), "", 1, "at least 8"),
        (("add", "b o", "--role", "viewer"), "long enough\n", 1, "user name"),
        (("add", "bo", "--role", "root"), "long enough\n", 2, "invalid choice"),
        (("set-role", "nobody", "admin"), "", 1, "no user 'nobody'"),
        (("set-password", "nobody"), "long enough\n", 1, "no user"),
        (("remove", "nobody"), "", 1, "no user 'nobody'"),
        (("frobnicate",), "", 2, "invalid choice"),
    ],
)
def test_refusals_have_a_reason_and_an_exit_code(cli, args, stdin, code, words):
    result = cli(*args, stdin=stdin)
    assert result.returncode == code
    assert words in result.stderr and "Traceback" not in result.stderr


def test_a_duplicate_is_refused(cli):
    assert cli("add", "bo", "--role", "viewer", stdin="long enough\n").returncode == 0
    again = cli("add", "BO", "--role", "admin", stdin="long enough\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert cli.store().get("bo").role == "viewer"
