"""Replay held-out flights through the serving models, then attach their outcomes from a
CSV, as a team would: `python -m model.replay` and `python -m model.outcomes`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from data.db import Database
from data.ingest import processed_path, read_processed
from data.tables import outcomes, predictions
from tests.integration.cli import module_runner

ROWS = 300


@pytest.fixture()
def home(two_version_home):
    """A copy of the small flights home: `new` champion, `old` challenger in shadow."""
    return two_version_home[0]


def _db(settings) -> sa.Engine:
    return Database(settings.database).engine


def _replayed(settings) -> pd.DataFrame:
    query = sa.select(predictions).where(predictions.c.source == "replay")
    with _db(settings).connect() as connection:
        return pd.DataFrame(connection.execute(query).mappings().all())


def _attached(settings) -> pd.DataFrame:
    query = sa.select(outcomes.c.request_id, outcomes.c.actual, outcomes.c.origin)
    with _db(settings).connect() as connection:
        return pd.DataFrame(connection.execute(query).mappings().all())


def _holdout(settings, spec) -> pd.DataFrame:
    frame, _ = read_processed(processed_path(settings, spec), spec)
    return frame[frame["sched_dep"] >= "2013-11-01"].head(ROWS)


def _keys(rows: pd.DataFrame) -> pd.Series:
    """The keys the log should hold, spelt out by hand (not by monitor/keys.py)."""
    stamps = rows["sched_dep"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return rows["carrier"].astype(str) + "|" + rows["flight"].astype(str) + "|" + stamps


def _outcome_file(rows: pd.DataFrame, folder):
    """The rows' outcomes as a CSV in other words, two rows twice, one unknown flight."""
    table = rows[["carrier", "flight", "sched_dep", "delayed"]].copy()
    table["delayed"] = table["delayed"].map({"1": "true", "0": "false"})
    extra = pd.DataFrame(
        {"carrier": ["ZZ"], "flight": [1], "sched_dep": ["2013-11-02"], "delayed": [1]}
    )
    file = folder / "outcomes.csv"
    pd.concat([table, table.head(2), extra]).to_csv(file, index=False)
    return file


def test_replay_then_outcomes_from_a_csv_twice(home, flights_spec, tmp_path):
    replay = module_runner("model.replay", home.home)
    done = replay("--no-outcomes", "--limit", str(ROWS), "--batch", "128")
    assert done.returncode == 0, done.stderr
    logged = _replayed(home)
    sent = f"replay: {ROWS} rows sent, {len(logged)} logged"
    assert done.stdout.startswith(sent) and len(logged) > ROWS * 0.95
    assert logged["event_time"].min() >= dt.datetime(2013, 11, 1)
    assert logged["event_key"].notna().all() and logged["user"].eq("replay").all()
    assert logged["challenger_output"].notna().all()  # the shadow answered before exit
    assert _attached(home).empty

    rows = _holdout(home, flights_spec)
    file = _outcome_file(rows, tmp_path)
    keys, labeled = _keys(rows), rows["delayed"].notna()
    was_sent = keys.isin(set(logged["event_key"]))
    outcomes_cli = module_runner("model.outcomes", home.home)
    first = outcomes_cli(str(file))
    assert first.returncode == 0, first.stderr
    attached = _attached(home)
    assert len(attached) == int((was_sent & labeled).sum()) > ROWS * 0.9
    assert f"attached {len(attached)} outcome(s), 0 already attached" in first.stdout
    unmatched = 1 + int((~was_sent & labeled).sum())  # the made-up flight, refused rows
    assert f"{unmatched} unmatched; 2 duplicate rows" in first.stdout
    assert attached["origin"].eq("file:outcomes.csv").all()
    joined = logged.merge(attached, on="request_id")
    truth = pd.Series(rows["delayed"].astype(str).to_numpy(), index=keys)
    assert (joined["actual"] == joined["event_key"].map(truth)).all()

    again = outcomes_cli(str(file))
    assert again.returncode == 0
    assert f"attached 0 outcome(s), {len(attached)} already attached" in again.stdout
    assert len(_attached(home)) == len(attached)


def test_replay_by_dates_with_its_own_outcomes(home):
    replay = module_runner("model.replay", home.home)
    done = replay("--from", "2013-12-24", "--to", "2013-12-25", "--user", "ana")
    assert done.returncode == 0, done.stderr
    logged = _replayed(home)
    days = pd.to_datetime(logged["event_time"]).dt.date
    assert set(days) <= {dt.date(2013, 12, 24), dt.date(2013, 12, 25)} and len(days)
    attached = _attached(home)
    assert set(attached["request_id"]) <= set(logged["request_id"])
    assert f"{len(attached)} outcomes attached" in done.stdout
    assert attached["origin"].eq("replay").all() and logged["user"].eq("ana").all()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2013-12-02", "--to", "2013-12-01"], "is before --from"),
        (["--from", "2013-02-30"], "is not a date"),
        (["--rate", "0"], "must be a finite number above 0"),
        (["--from", "2014-03-01"], "no rows to replay"),
    ],
)
def test_bad_usage_exits_2_in_one_line(home, args, words):
    done = module_runner("model.replay", home.home)(*args)
    assert done.returncode == 2 and words in done.stderr
    assert "Traceback" not in done.stderr and _replayed(home).empty


def test_an_unusable_outcome_file_exits_2(home, tmp_path):
    file = tmp_path / "outcomes.csv"
    file.write_text("carrier,delayed\nUA,1\n", encoding="utf-8")
    done = module_runner("model.outcomes", home.home)(str(file))
    assert done.returncode == 2 and "['flight', 'sched_dep'] are missing" in done.stderr
    assert "Traceback" not in done.stderr
