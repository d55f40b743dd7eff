"""API keys: shown once, stored hashed, checked, revoked, and gone with their user."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data.api_keys import KEY_PREFIX, MAX_KEYS_PER_USER, ApiKeyStore, key_hash
from data.db import Database
from data.tables import api_keys
from data.users import UserError, UserStore


@pytest.fixture
def stores(database_url):
    database = Database(database_url).migrate()
    users = UserStore(database)
    users.add("ana", "analyst", "a-long-password")
    users.add("vic", "viewer", "a-long-password")
    return users, ApiKeyStore(database, cache_s=0.0)


def test_a_new_key_signs_in_as_its_user_and_only_its_hash_is_stored(stores):
    _, keys = stores
    listed, key = keys.create("ana", "nightly job")
    assert key.startswith(KEY_PREFIX) and len(key) > 40
    assert listed.user == "ana" and listed.name == "nightly job" and listed.active
    assert key.startswith(listed.prefix)
    assert keys.authenticate(key).name == "ana"
    with keys.database.engine.connect() as connection:
        stored = connection.execute(sa.select(api_keys)).mappings().one()
    assert stored["key_hash"] == key_hash(key) and key not in stored.values()
    assert keys.get(listed.id).last_used_at is not None


@pytest.mark.parametrize(
    "bad", ["", "fdk_", "fdk_" + "x" * 43, "Bearer x", None, 12, "fdk_" + "a" * 500]
)
def test_unknown_or_malformed_keys_sign_in_nobody(stores, bad):
    _, keys = stores
    keys.create("ana", "job")
    assert keys.authenticate(bad) is None


def test_a_revoked_key_stops_at_once_and_others_stay(stores):
    _, keys = stores
    first, first_key = keys.create("ana", "one")
    _, second_key = keys.create("ana", "two")
    assert keys.authenticate(first_key).name == "ana"
    revoked = keys.revoke(first.id)
    assert not revoked.active
    assert keys.authenticate(first_key) is None
    assert keys.authenticate(second_key).name == "ana"
    with pytest.raises(UserError, match="no active key"):
        keys.revoke(first.id)


def test_a_user_can_only_revoke_their_own_keys(stores):
    _, keys = stores
    listed, key = keys.create("ana", "one")
    with pytest.raises(UserError):
        keys.revoke(listed.id, user="vic")
    assert keys.authenticate(key).name == "ana"


def test_keys_are_listed_per_user_newest_first(stores):
    _, keys = stores
    keys.create("ana", "one")
    keys.create("ana", "two")
    keys.create("vic", "three")
    assert [k.name for k in keys.list("ana")] == ["two", "one"]
    assert len(keys.list()) == 3


def test_bad_names_unknown_users_and_too_many_keys_are_refused(stores):
    _, keys = stores
    for bad in ["", "  ", "x" * 65, "tab\there"]:
        with pytest.raises(UserError, match="name"):
            keys.create("ana", bad)
    with pytest.raises(UserError, match="no user"):
        keys.create("nobody", "job")
    for n in range(MAX_KEYS_PER_USER):
        keys.create("vic", f"key {n}")
    with pytest.raises(UserError, match="revoke one first"):
        keys.create("vic", "one too many")


def test_removing_a_user_removes_their_keys(stores):
    users, keys = stores
    _, key = keys.create("ana", "job")
    users.remove("ana")
    assert keys.authenticate(key) is None
    assert keys.list() == []
