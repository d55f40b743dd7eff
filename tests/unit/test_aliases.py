"""Aliases in the database: each move atomic and recorded; rollback walks back."""

from __future__ import annotations

import itertools
import threading

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


def test_concurrent_moves_each_read_the_one_before(store):
    """Four workers promoting at once: every move lands and records the version the move
    before it set (PostgreSQL refused one of two concurrent inserts; SQLite's read ran
    outside the move's transaction and could record a stale version)."""

    def promote(worker: int) -> None:
        mine = AliasStore(store.database, "flights")
        for i in range(5):
            mine.move("champion", f"v{worker}-{i}", "ada")

    threads = [threading.Thread(target=promote, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    moves = store.history()
    assert len(moves) == 20 and store.get("champion") == moves[0].to_version
    assert all(a.from_version == b.to_version for a, b in itertools.pairwise(moves))
