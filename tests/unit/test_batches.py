"""BatchStore: a batch is started, counted in the log's transaction, finished and listed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from data.batches import BatchStore, output_path
from data.db import Database


@pytest.fixture
def store(database_url) -> BatchStore:
    return BatchStore(Database(database_url).migrate())


def test_a_batch_runs_then_finishes_with_its_counts(store):
    batch_id = store.start("ana", "/some/where/flights.csv", 10, "v1")
    running = store.get(batch_id)
    assert len(batch_id) == 32 and running.status == "running"
    assert running.file_name == "flights.csv" and running.rows_in == 10
    with store.database.engine.begin() as connection:
        store.count_scored(connection, batch_id, 4)
        store.count_scored(connection, batch_id, 3)
    store.set_refused(batch_id, 3)
    done = store.finish(batch_id, "done", f"{batch_id}.csv", "ok")
    assert (done.rows_scored, done.rows_refused, done.status) == (7, 3, "done")
    assert done.output == f"{batch_id}.csv" and done.finished_at is not None


def test_a_count_rolled_back_with_its_log_write_is_not_kept(store):
    batch_id = store.start("ana", "f.csv", 10, "v1")
    with pytest.raises(RuntimeError), store.database.engine.begin() as connection:
        store.count_scored(connection, batch_id, 5)
        raise RuntimeError("the log write failed")
    assert store.get(batch_id).rows_scored == 0


def test_list_is_one_users_newest_first(store):
    first = store.start("ana", "a.csv", 1, "v1")
    time.sleep(0.01)
    second = store.start("ana", "b.csv", 1, "v1")
    store.start("vic", "c.csv", 1, "v1")
    assert [b.id for b in store.list("ana")] == [second, first]
    assert [b.id for b in store.list("ana", limit=1)] == [second]
    assert store.get(first, user="vic") is None and store.get(first, user="ana")


def test_finish_takes_only_a_final_status(store):
    batch_id = store.start("ana", "a.csv", 1, "v1")
    with pytest.raises(ValueError):
        store.finish(batch_id, "running")
    assert store.finish(batch_id, "failed", message="x" * 900).message == "x" * 500


@pytest.mark.parametrize(
    "bad", ["../etc/passwd", "A" * 32, "0" * 31, None, "0" * 32 + "/"]
)
def test_output_paths_take_only_batch_ids(bad, store):
    with pytest.raises(ValueError):
        output_path(Path("/home"), bad, "csv")
    assert store.get(bad) is None


def test_output_path_is_under_the_homes_batches_folder():
    batch_id = "0123456789abcdef" * 2
    path = output_path(Path("/home"), batch_id, "parquet")
    assert path == Path("/home/batches") / f"{batch_id}.parquet"
    with pytest.raises(ValueError):
        output_path(Path("/home"), batch_id, "exe")
