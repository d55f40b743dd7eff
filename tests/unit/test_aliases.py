"""Aliases in the database: each move atomic and recorded; rollback walks back."""

from __future__ import annotations

import pytest

from data.aliases import AliasError, AliasStore
from data.db import Database


@pytest.fixture()
def store(database_url):
    return AliasStore(Database(database_url).migrate(), "flights")


def test_a_move_is_the_alias_and_its_history_together(store):
    assert store.move("champion", "v1", "ada", "first") is None
    assert store.move("champion", "v2", "ada", "better auc") == "v1"
    assert store.all() == {"champion": "v2"}
    latest, first = store.history()
    assert (latest.from_version, latest.to_version, latest.note) == (
        "v1",
        "v2",
        "better auc",
    )
    assert (first.from_version, first.to_version, first.user) == (None, "v1", "ada")


def test_state_changes_with_every_move(store):
    before = store.state()
    store.move("challenger", "v3", "ada")
    after = store.state()
    assert after > before
    store.move("challenger", None, "ada")  # cleared
    assert store.state() > after and "challenger" not in store.all()


def test_rollback_walks_back_one_champion_at_a_time(store):
    for version in ("v1", "v2", "v3"):
        store.move("champion", version, "ada")
    assert store.previous_champion() == "v2"
    store.move("champion", "v2", "ada", action="rollback")
    assert store.previous_champion() == "v1"
    store.move("champion", "v1", "ada", action="rollback")
    assert store.previous_champion() is None


def test_datasets_do_not_share_aliases(store):
    other = AliasStore(store.database, "iris")
    store.move("champion", "v1", "ada")
    assert other.all() == {} and other.state() == 0


def test_a_failed_move_writes_nothing(store):
    with pytest.raises(AliasError, match="unknown alias"):
        store.move("winner", "v1", "ada")
    assert store.history() == [] and store.all() == {}


def test_a_long_user_name_is_cut_to_its_column(store):
    store.move("champion", "v1", "cron-" + "x" * 100, note="n" * 900)
    move = store.history()[0]
    assert move.user == ("cron-" + "x" * 100)[:64] and move.note == "n" * 500
