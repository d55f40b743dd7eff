"""Which rows the replay sends, with which event times, and its summary line."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from monitor.replay import (
    ReplayError,
    ReplayOptions,
    ReplaySummary,
    batch_size,
    event_times,
    held_out,
)


@pytest.fixture()
def frame() -> pd.DataFrame:
    stamps = pd.date_range("2013-10-30 22:00", "2013-11-03 02:00", freq="2h")
    return pd.DataFrame({"sched_dep": stamps, "hour": stamps.hour})


def test_by_default_the_days_after_the_validation_window(frame, flights_spec):
    rows = held_out(frame, flights_spec, ReplayOptions())
    assert rows["sched_dep"].min() == pd.Timestamp("2013-11-01 00:00")
    assert len(rows) == len(frame[frame["sched_dep"] >= "2013-11-01"])


def test_from_and_to_are_whole_days(frame, flights_spec):
    options = ReplayOptions(start=dt.date(2013, 10, 31), end=dt.date(2013, 11, 1))
    rows = held_out(frame, flights_spec, options)
    assert rows["sched_dep"].dt.date.unique().tolist() == [
        dt.date(2013, 10, 31),
        dt.date(2013, 11, 1),
    ]
    assert len(rows) == 24
    limited = held_out(frame, flights_spec, ReplayOptions(limit=5))
    assert len(limited) == 5


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (ReplayOptions(start=dt.date(2013, 11, 2), end=dt.date(2013, 11, 1)), "before"),
        (ReplayOptions(start=dt.date(2014, 1, 1)), "no rows to replay"),
    ],
)
def test_windows_that_cannot_be_replayed(frame, flights_spec, options, words):
    with pytest.raises(ReplayError, match=words):
        held_out(frame, flights_spec, options)


def test_event_times_keep_the_calendar_day(frame, flights_spec):
    times = event_times(frame.tail(2), flights_spec)
    assert times == [
        dt.datetime(2013, 11, 3, 0, tzinfo=dt.UTC),
        dt.datetime(2013, 11, 3, 2, tzinfo=dt.UTC),
    ]
    aware = frame.assign(sched_dep=frame["sched_dep"].dt.tz_localize("US/Eastern"))
    assert event_times(aware.tail(1), flights_spec)[0] == dt.datetime(
        2013, 11, 3, 7, tzinfo=dt.UTC
    )


def test_a_rate_sends_at_most_a_seconds_worth_per_call():
    assert batch_size(ReplayOptions()) == 500
    assert batch_size(ReplayOptions(rate=50)) == 50
    assert batch_size(ReplayOptions(rate=0.5)) == 1
    assert batch_size(ReplayOptions(rate=5000, batch=200)) == 200


def test_summary_counts_refusals_by_reason_not_by_value():
    summary = ReplaySummary()
    problems = {
        1: ["Airline: 'ZZ' is not a known value"],
        2: ["Airline: 'YY' is not a known value"],
        3: ["Temperature: a value is required"],
    }
    summary.add(4, ["a", None, None, None], problems)
    summary.attached, summary.seconds = 1, 2.0
    assert summary.line() == (
        "replay: 4 rows sent, 1 logged, 3 refused (Airline: '…' is not a known value "
        "x2, Temperature: a value is required x1), 1 outcomes attached; 2 rows/s"
    )
