"""`python -m server.users` as an admin runs it: real subprocesses on a real database."""

from __future__ import annotations

import pytest

from data.api_keys import ApiKeyStore
from data.db import Database
from data.users import UserStore
from tests.integration.cli import module_runner


@pytest.fixture()
def cli(tmp_path):
    run = module_runner("server.users", tmp_path, timeout=60)

    def database() -> Database:
        return Database(f"sqlite:///{tmp_path / 'flightdeck.db'}")

    run.store = lambda: UserStore(database())
    run.keys = lambda: ApiKeyStore(database(), cache_s=0.0)
    return run


@pytest.fixture()
def ana(cli):
    assert (
        cli("add", "ana", "--role", "viewer", stdin="a long password\n").returncode == 0
    )
    return cli


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


def test_key_create_prints_a_working_key_once_and_how_to_use_it(ana):
    created = ana("key", "create", "ana", "--name", "nightly job")
    assert created.returncode == 0
    key = created.stdout.splitlines()[0]
    assert created.stdout.strip() == key  # the key alone: KEY=$(...) captures it
    assert ana.keys().authenticate(key).name == "ana"
    assert "shown only this once" in created.stderr
    assert "Authorization: Bearer" in created.stderr and key not in created.stderr
    [listed] = ana.keys().list("ana")
    assert listed.name == "nightly job" and key.startswith(listed.prefix)


def test_key_create_names_a_key_cli_by_default(ana):
    assert ana("key", "create", "ana").returncode == 0
    assert [k.name for k in ana.keys().list("ana")] == ["cli"]


def test_key_list_shows_prefixes_and_status_never_the_key(ana):
    first = ana("key", "create", "ana", "--name", "one").stdout.strip()
    second = ana("key", "create", "ana", "--name", "two").stdout.strip()
    revoked = ana("key", "revoke", str(ana.keys().list("ana")[-1].id))
    assert revoked.returncode == 0 and "revoked key" in revoked.stdout

    for listed in (ana("key", "list"), ana("key", "list", "ANA")):
        assert listed.returncode == 0
        lines = listed.stdout.splitlines()
        assert "prefix" in lines[0] and "last used" in lines[0]
        assert lines[1].endswith("two") and "active" in lines[1]
        assert lines[2].endswith("one") and "revoked" in lines[2]
        assert first[:12] in lines[2] and second[:12] in lines[1]
        assert first not in listed.stdout and second not in listed.stdout


def test_key_revoke_stops_the_key_and_only_that_one(ana):
    first = ana("key", "create", "ana", "--name", "one").stdout.strip()
    second = ana("key", "create", "ana", "--name", "two").stdout.strip()
    first_id = next(k.id for k in ana.keys().list("ana") if k.name == "one")
    assert ana("key", "revoke", str(first_id)).returncode == 0
    assert ana.keys().authenticate(first) is None
    assert ana.keys().authenticate(second).name == "ana"
    again = ana("key", "revoke", str(first_id))
    assert again.returncode == 1 and f"no active key {first_id}" in again.stderr


def test_key_list_without_keys_says_how_to_make_one(ana):
    listed = ana("key", "list")
    assert listed.returncode == 0 and "no keys yet" in listed.stdout


@pytest.mark.parametrize(
    "args, code, words",
    [
        (("key", "create", "nobody"), 1, "no user 'nobody'"),
        (("key", "create", "ana", "--name", ""), 1, "1-64 printable"),
        (("key", "create", "ana", "--name", "x" * 65), 1, "1-64 printable"),
        (("key", "list", "nobody"), 1, "no user 'nobody'"),
        (("key", "revoke", "999"), 1, "no active key 999"),
        (("key", "revoke", "seven"), 2, "not a key id"),
        (("key", "revoke", "-1"), 2, "not a key id"),
        (("key", "revoke", "9" * 40), 2, "not a key id"),
        (("key",), 2, "required"),
        (("key", "rotate", "1"), 2, "invalid choice"),
    ],
)
def test_key_refusals_have_a_reason_and_an_exit_code(ana, args, code, words):
    result = ana(*args)
    assert result.returncode == code
    assert words in result.stderr and "Traceback" not in result.stderr
    assert ana.keys().list() == []
