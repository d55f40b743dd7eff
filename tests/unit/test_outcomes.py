"""Outcome matching on a real SQLite log: by request id or key, duplicates, bad values,
and re-runs that change nothing."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data.db import Database
from data.stores import PredictionLog
from data.tables import outcomes
from monitor.outcomes import (
    Actuals,
    OutcomeFileError,
    attach_known,
    match_outcomes,
    read_outcomes,
)

KEYS = ("carrier", "flight", "sched_dep")
BINARY = Actuals(["0", "1"], regression=False)


@pytest.fixture()
def log(database_url):
    return PredictionLog(Database(database_url).migrate())


def _logged(log: PredictionLog, key: str | None = None) -> str:
    return log.record(
        source="replay",
        model_version="v1",
        model_sha256="ab" * 32,
        inputs={"hour": 5.0},
        output=0.3,
        latency_ms=1.0,
        event_time=dt.datetime(2013, 11, 1, 5, 15, tzinfo=dt.UTC),
        event_key=key,
    )


def _stored(log: PredictionLog) -> dict[str, str]:
    with log.engine.connect() as connection:
        rows = connection.execute(sa.select(outcomes.c.request_id, outcomes.c.actual))
        return dict(rows.all())


def _csv(tmp_path, frame: pd.DataFrame, name: str = "outcomes.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return read_outcomes(path)


def _match(log, frame, actuals=BINARY, dry_run=False, column="delayed"):
    return match_outcomes(
        frame,
        log,
        actuals,
        column=column,
        keys=KEYS,
        origin="file:test.csv",
        dry_run=dry_run,
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 1.0, "1", True, "true", " yes ", "1.0"], ["1"] * 7),
        ([0, 0.0, False, "0", "No"], ["0"] * 5),
    ],
)
def test_binary_actuals_read_as_the_cards_classes(values, expected):
    texts, problems = BINARY.texts(pd.Series(values, dtype=object))
    assert texts == expected and problems == [None] * len(values)


def test_unknown_classes_and_gaps_are_reported_not_guessed():
    texts, problems = BINARY.texts(pd.Series(["maybe", None, 2, np.nan], dtype=object))
    assert texts == [None] * 4
    assert problems == [
        "unknown class 'maybe'",
        "no value",
        "unknown class '2'",
        "no value",
    ]


def test_many_classes_fold_case_but_take_no_yes_words():
    iris = Actuals(["setosa", "versicolor", "virginica"], regression=False)
    texts, problems = iris.texts(pd.Series(["Setosa", " virginica", True]))
    assert texts == ["setosa", "virginica", None]
    assert problems[2] == "unknown class 'True'"


def test_regression_actuals_are_numbers():
    numbers = Actuals([], regression=True)
    texts, problems = numbers.texts(pd.Series(["2.50", 3, "abc", "inf"], dtype=object))
    assert texts == ["2.5", "3", None, None]
    assert problems[2:] == ["not a number 'abc'", "not a number 'inf'"]


def test_by_request_id_duplicates_bad_values_and_a_rerun(log, tmp_path):
    a, b, c = (_logged(log) for _ in range(3))
    frame = _csv(
        tmp_path,
        pd.DataFrame(
            {
                "request_id": [a, b, a, "f" * 32, c, ""],
                "delayed": [1, 0.0, 0, 1, "maybe", 1],
            }
        ),
    )
    report = _match(log, frame)
    assert (report.rows, report.matched, report.attached, report.already) == (
        6,
        2,
        2,
        0,
    )
    assert (report.unmatched, report.duplicates) == (2, 1)  # unknown id, empty id
    assert report.bad == {"unknown class 'maybe'": 1}
    assert _stored(log) == {a: "1", b: "0"}  # the first of the two rows for `a`
    again = _match(log, frame)
    assert (again.attached, again.already, again.matched) == (0, 2, 2)
    assert _stored(log) == {a: "1", b: "0"}


def test_by_keys_a_flight_replayed_twice_gets_both(log, tmp_path):
    twice = "UA|1545|2013-11-01T05:15:00"
    first, second = _logged(log, twice), _logged(log, twice)
    other = _logged(log, "AA|1141|2013-11-01T05:29:00")
    frame = _csv(
        tmp_path,
        pd.DataFrame(
            {
                "carrier": ["UA", "AA", "B6", "DL"],
                "flight": [1545, 1141, 725, None],
                "sched_dep": ["2013-11-01 05:15", "2013-11-01T05:29:00"] * 2,
                "delayed": [True, False, True, False],
            }
        ),
    )
    report = _match(log, frame)
    assert (report.matched, report.attached, report.unmatched) == (2, 3, 2)
    assert _stored(log) == {first: "1", second: "1", other: "0"}


def test_a_request_id_column_wins_over_keys(log, tmp_path):
    rid = _logged(log, "UA|1|2013-11-01T05:15:00")
    frame = pd.DataFrame(
        {"request_id": [rid], "carrier": ["XX"], "flight": [9], "sched_dep": ["x"]}
    )
    frame["delayed"] = 1
    report = _match(log, _csv(tmp_path, frame))
    assert report.attached == 1 and _stored(log) == {rid: "1"}


def test_dry_run_writes_nothing(log, tmp_path):
    rid = _logged(log)
    frame = _csv(tmp_path, pd.DataFrame({"request_id": [rid], "delayed": [1]}))
    report = _match(log, frame, dry_run=True)
    assert report.attached == 1 and _stored(log) == {}
    assert report.summary(dry_run=True).startswith(
        "1 rows read: 1 matched, would attach 1"
    )


def test_summary_says_every_count(log, tmp_path):
    rid = _logged(log)
    frame = pd.DataFrame({"request_id": [rid, rid, "x"], "delayed": [1, 1, "?"]})
    line = _match(log, _csv(tmp_path, frame)).summary()
    assert line == (
        "3 rows read: 1 matched, attached 1 outcome(s), 0 already attached; "
        "0 unmatched; 1 duplicate rows (first used); 1 bad values "
        "(unknown class '?' x1)"
    )


def test_the_replay_attaches_targets_it_already_has(log):
    rids = [_logged(log), None, _logged(log)]
    values = pd.Series(pd.Categorical(["1", "0", None], categories=["0", "1"]))
    assert attach_known(log, BINARY, rids, values, "replay") == 1
    assert _stored(log) == {rids[0]: "1"}


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (pd.DataFrame({"request_id": ["a"]}), "no outcome column 'delayed'"),
        (
            pd.DataFrame({"delayed": [1]}),
            "key column(s) ['carrier', 'flight', 'sched_dep']",
        ),
        (pd.DataFrame({"carrier": ["UA"], "delayed": [1]}), "['flight', 'sched_dep']"),
    ],
)
def test_unusable_frames_say_what_is_missing(log, frame, words):
    with pytest.raises(OutcomeFileError, match=re.escape(words)):
        _match(log, frame)


def test_no_keys_in_the_spec_and_no_request_id(log):
    with pytest.raises(OutcomeFileError, match="names no \\[monitor\\] keys"):
        match_outcomes(
            pd.DataFrame({"delayed": [1]}),
            log,
            BINARY,
            column="delayed",
            keys=(),
            origin="x",
        )


def test_files_that_are_not_tables(tmp_path):
    with pytest.raises(OutcomeFileError, match="no such file"):
        read_outcomes(tmp_path / "gone.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(OutcomeFileError, match="not a readable CSV"):
        read_outcomes(empty)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(OutcomeFileError, match="not a readable CSV or Parquet"):
        read_outcomes(broken)
