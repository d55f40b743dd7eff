"""Scenarios in a real SQLite file: saved per user, opened by link, deleted by the owner."""

from __future__ import annotations

import pytest

from data.db import Database
from data.scenarios import (
    MAX_PER_USER,
    ScenarioError,
    ScenarioStore,
    clean_scenario_name,
    is_scenario_id,
)


@pytest.fixture()
def store(database_url):
    return ScenarioStore(Database(database_url).migrate())


def test_save_open_list_delete(store):
    first = store.save(
        "ana", "  Friday evening UA  ", {"carrier": "UA", "hour": 18.0}, "v1"
    )
    second = store.save("ana", "Morning", {"carrier": "DL", "hour": 7.0}, "v1")
    store.save("bob", "Bob's", {"carrier": "AA", "hour": 9.0}, "v1")
    assert is_scenario_id(first.id) and first.name == "Friday evening UA"
    assert store.get(first.id).inputs == {"carrier": "UA", "hour": 18.0}
    assert [s.name for s in store.list("ana")] == ["Morning", "Friday evening UA"]
    assert not store.delete("bob", first.id)  # not his
    assert store.delete("ana", first.id)
    assert store.get(first.id) is None
    assert [s.id for s in store.list("ana")] == [second.id]


@pytest.mark.parametrize("name", ["", "   ", None, 42, "x" * 81, "tab\tname"])
def test_bad_names_are_refused(store, name):
    with pytest.raises(ScenarioError):
        store.save("ana", name, {"hour": 1.0}, "v1")
    assert store.list("ana") == []


@pytest.mark.parametrize(
    "wanted", ["", "short", "../../etc/passwd", None, 12, "a" * 12 + "'"]
)
def test_only_well_formed_ids_are_looked_up(store, wanted):
    assert store.get(wanted) is None
    assert not store.delete("ana", wanted)


def test_a_user_has_at_most_the_limit(store):
    for n in range(MAX_PER_USER):
        store.save("ana", f"s{n}", {"hour": float(n % 24)}, None)
    with pytest.raises(ScenarioError, match="delete some"):
        store.save("ana", "one more", {"hour": 1.0}, None)
    assert len(store.list("ana")) == MAX_PER_USER
    assert clean_scenario_name(" ok ") == "ok"
