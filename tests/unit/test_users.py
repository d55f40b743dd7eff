"""Users: hashed passwords, ordered roles, and sessions that end on a password change."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from data.db import Database
from data.tables import users as users_table
from data.users import ROLES, UserError, UserStore, role_allows


@pytest.fixture()
def store(database_url) -> UserStore:
    return UserStore(Database(database_url).migrate())


def test_roles_are_ordered():
    assert ROLES == ("viewer", "analyst", "admin")
    assert role_allows("admin", "analyst") and role_allows("analyst", "analyst")
    assert not role_allows("viewer", "analyst")
    assert not role_allows("root", "viewer") and not role_allows(None, "viewer")


def test_add_and_authenticate(store):
    user = store.add("Ana", "analyst", "correct horse")
    assert (user.name, user.role) == ("ana", "analyst")
    assert store.authenticate("ANA", "correct horse") == user
    assert store.authenticate("ana", "wrong horse!") is None
    assert store.authenticate("nobody", "correct horse") is None
    assert store.authenticate("ana", "x" * 10_000) is None


def test_passwords_are_stored_hashed(store):
    store.add("bo", "viewer", "correct horse")
    with store.database.engine.connect() as connection:
        stored = connection.execute(sa.select(users_table.c.password_hash)).scalar()
    assert "correct horse" not in stored and stored.startswith("scrypt:")


@pytest.mark.parametrize(
    "name, role, password, words",
    [
        ("", "viewer", "long enough", "user name"),
        ("a b", "viewer", "long enough", "user name"),
        ("x" * 65, "viewer", "long enough", "user name"),
        ("ok", "root", "long enough", "role must be one of"),
        ("ok", "viewer", "short", "at least 8"),
        ("ok", "viewer", "p" * 300, "at most"),
    ],
)
def test_bad_users_are_refused_with_a_reason(store, name, role, password, words):
    with pytest.raises(UserError, match=words):
        store.add(name, role, password)
    assert store.count() == 0


def test_duplicate_names_are_refused(store):
    store.add("ana", "viewer", "long enough")
    with pytest.raises(UserError, match="already exists"):
        store.add("ANA", "admin", "long enough")
    assert [u.role for u in store.list()] == ["viewer"]


def test_sessions_follow_the_user(store):
    user = store.add("ana", "viewer", "long enough")
    assert store.by_session(user.session_id) == user
    assert store.set_role("ana", "admin").role == "admin"
    assert store.by_session(user.session_id).role == "admin"  # a role change keeps it
    store.set_password("ana", "another long one")
    assert store.by_session(user.session_id) is None  # a new password ends sessions
    assert store.authenticate("ana", "another long one") is not None
    for junk in ("", "1", "x:y", f"{user.id}:", "999:abc", None):
        assert store.by_session(junk) is None


def test_remove_ends_everything(store):
    user = store.add("ana", "viewer", "long enough")
    store.remove("ana")
    assert store.get("ana") is None and store.by_session(user.session_id) is None
    with pytest.raises(UserError, match="no user"):
        store.remove("ana")
    with pytest.raises(UserError, match="no user"):
        store.set_role("ana", "admin")


def test_a_change_from_another_process_applies_within_the_cache_time(store):
    user = store.add("ana", "analyst", "long enough")
    worker = UserStore(store.database, session_cache_s=0.3)  # another worker's store
    assert worker.by_session(user.session_id).role == "analyst"
    store.set_role("ana", "viewer")  # e.g. the CLI, in another process
    assert worker.by_session(user.session_id).role == "analyst"  # still cached
    time.sleep(0.35)
    assert worker.by_session(user.session_id).role == "viewer"
    store.remove("ana")
    time.sleep(0.35)
    assert worker.by_session(user.session_id) is None
