"""Data tier: ingest on a small sample, filters, and aggregates checked against plain pandas."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from data import aggregates as agg
from data.dataset import Dataset
from data.filters import FilterError
from data.ingest import processed_path, read_processed
from data.target import target_numbers


@pytest.fixture(scope="module")
def frame(small_settings, flights_spec):
    """The processed sample, its target as numbers (1 = delayed) for pandas to compare."""
    frame, _ = read_processed(
        processed_path(small_settings, flights_spec), flights_spec
    )
    return frame.assign(delayed=target_numbers(frame["delayed"]))


@pytest.fixture(scope="module")
def dataset(frame, flights_spec):
    return Dataset.from_frame(frame, flights_spec)


def test_ingest_sample_has_joined_weather_and_targets(frame):
    assert len(frame) == 4000
    assert frame["sched_dep"].is_monotonic_increasing
    assert frame["temp"].notna().mean() > 0.9
    cancelled = frame["dep_delay"].isna()
    assert frame.loc[cancelled, "delayed"].isna().all()
    assert set(frame.loc[~cancelled, "delayed"].unique()) <= {0.0, 1.0}
    assert (
        frame.loc[~cancelled, "delayed"] == (frame.loc[~cancelled, "dep_delay"] >= 15)
    ).all()


def _pandas_view(frame):
    return frame[
        frame["carrier"].isin(["UA", "B6"])
        & frame["hour"].between(7, 19)
        & (frame["sched_dep"] >= "2013-02-01")
        & (frame["sched_dep"] < "2013-11-01")
    ]


@pytest.fixture(scope="module")
def view(dataset):
    filters = dataset.parse_filters(
        ["2013-02-01", "2013-10-31"], {"carrier": ["UA", "B6"]}, {"hour": [7, 19]}
    )
    return dataset.filter(filters)


def test_kpis_match_pandas(view, frame):
    expected = _pandas_view(frame)
    kpis = agg.kpis(view)
    assert kpis["rows"] == len(expected)
    assert kpis["missing_target"] == expected["delayed"].isna().sum()
    assert kpis["target_mean"] == pytest.approx(expected["delayed"].mean())
    assert kpis["measure_mean"] == pytest.approx(expected["dep_delay"].mean(), rel=1e-5)


def test_rate_by_category_matches_pandas(view, frame):
    expected = (
        _pandas_view(frame)
        .groupby("carrier", observed=True)["delayed"]
        .agg(["mean", "size"])
    )
    got = agg.by_category(view, "carrier").set_index("carrier")
    assert set(got.index) == set(expected.index)
    for carrier, row in expected.iterrows():
        assert got.loc[carrier, "target_mean"] == pytest.approx(row["mean"])
        assert got.loc[carrier, "rows"] == row["size"]


def test_daily_and_heatmap_match_pandas(view, frame):
    expected = _pandas_view(frame)
    daily = agg.daily(view).set_index("date")
    by_day = expected.groupby(expected["sched_dep"].dt.normalize())["delayed"].mean()
    assert daily["target_mean"].to_numpy() == pytest.approx(
        by_day.to_numpy(), nan_ok=True
    )
    heat = agg.hour_weekday(view)
    cell = expected[
        (expected["sched_dep"].dt.day_of_week == 2) & (expected["hour"] == 17)
    ]["delayed"].mean()
    assert heat.loc[2, 17] == pytest.approx(cell, nan_ok=True)


def test_histogram_and_routes_match_pandas(view, frame):
    expected = _pandas_view(frame)
    hist = agg.measure_histogram(view)
    assert hist["count"].sum() == expected["dep_delay"].notna().sum()
    routes = agg.routes(view)
    pairs = (
        expected.groupby(["origin", "dest"], observed=True)
        .size()
        .sort_values(ascending=False)
    )
    assert routes["rows"].iloc[0] == pairs.iloc[0]
    assert routes["rows"].sum() == len(expected)


def test_bins_cover_every_labelled_row(view, frame):
    bins = agg.by_bins(view, "visib")
    expected = _pandas_view(frame)
    assert (
        bins["labelled"].sum() == expected.dropna(subset=["delayed", "visib"]).shape[0]
    )


def test_filter_returns_new_view_and_empty_filter_is_everything(dataset):
    everything = dataset.filter(dataset.parse_filters())
    assert (
        everything.mask is None and agg.kpis(everything)["rows"] == dataset.total_rows
    )
    some = dataset.filter(dataset.parse_filters(categories={"origin": ["JFK"]}))
    assert some is not dataset and 0 < agg.kpis(some)["rows"] < dataset.total_rows


def test_dates_that_keep_every_row_are_no_filter(dataset):
    """The Overview's first load sends the whole span: it gets the shared unfiltered view
    (its aggregates computed once), and the same numbers as no dates at all."""
    first, last = dataset.date_span
    wider = [str(first - dt.timedelta(days=3)), str(last + dt.timedelta(days=3))]
    for dates in ([str(first), str(last)], wider):
        view = dataset.filter(dataset.parse_filters(dates=dates))
        assert view.mask is None
        assert agg.kpis(view) == agg.kpis(dataset.filter(dataset.parse_filters()))
    later = dataset.filter(
        dataset.parse_filters(dates=[str(first + dt.timedelta(1)), str(last)])
    )
    earlier = dataset.filter(
        dataset.parse_filters(dates=[str(first), str(last - dt.timedelta(1))])
    )
    for narrower in (later, earlier):
        assert narrower.mask is not None
        assert agg.kpis(narrower)["rows"] < dataset.total_rows


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"categories": {"carrier": ["ZZ"]}}, "unknown value"),
        ({"categories": {"tailnum": ["N1"]}}, "not a filter"),
        ({"ranges": {"hour": [float("nan"), 3]}}, "must be a finite number"),
        ({"ranges": {"hour": [True, 3]}}, "must be a number"),
        ({"ranges": {"hour": [0, 10**400]}}, "too large"),
        ({"ranges": {"hour": 5}}, "pair of numbers"),
        ({"dates": ["2013-05-01", "2013-04-01"]}, "after the end"),
        ({"dates": [5, None]}, "must be a date"),
    ],
)
def test_bad_filters_raise_clear_errors(dataset, kwargs, words):
    with pytest.raises(FilterError, match=words):
        dataset.parse_filters(**kwargs)


def test_missing_categories_get_their_own_code(flights_spec):
    frame = pd.DataFrame(
        {
            c: [1.0, 2.0]
            for c in [
                "month",
                "weekday",
                "hour",
                "distance",
                "plane_age",
                "holiday_days",
                "temp",
                "humid",
                "wind_speed",
                "precip",
                "visib",
                "pressure",
                "dep_delay",
                "origin_lat",
                "origin_lon",
                "dest_lat",
                "dest_lon",
            ]
        }
    )
    frame["carrier"], frame["origin"], frame["dest"] = (
        ["AA", None],
        ["JFK", "JFK"],
        ["LAX", "SFO"],
    )
    frame["delayed"] = [1.0, np.nan]
    frame["sched_dep"] = pd.to_datetime(["2013-01-01 05:00", "2013-01-02 06:00"])
    ds = Dataset.from_frame(frame, flights_spec)
    assert ds.categories("carrier") == ["AA", "(missing)"]
    assert agg.kpis(ds)["missing_target"] == 1


def test_a_view_with_no_rows_aggregates_to_empty_frames(dataset):
    nothing = dataset.filter(
        dataset.parse_filters(
            ["2013-03-01", "2013-03-02"], {"carrier": ["HA"], "origin": ["LGA"]}
        )
    )
    assert agg.kpis(nothing)["rows"] == 0
    assert agg.daily(nothing).empty
    assert agg.by_category(nothing, "carrier").empty
    assert agg.routes(nothing).empty
    assert agg.measure_histogram(nothing)["count"].sum() == 0


def test_rolling_mean_is_over_calendar_days(dataset, frame):
    view = dataset.filter(dataset.parse_filters(categories={"origin": ["EWR"]}))
    daily = agg.daily(view).set_index("date")
    ewr = frame[frame["origin"] == "EWR"]
    day = pd.Timestamp(daily.index[len(daily) // 2])
    start, end = day - pd.Timedelta(days=6), day + pd.Timedelta(days=1)
    window = ewr[(ewr["sched_dep"] >= start) & (ewr["sched_dep"] < end)]
    assert daily.loc[day, "rolling"] == pytest.approx(window["delayed"].mean())


def test_airports_match_pandas_and_have_coordinates(view, frame):
    expected = _pandas_view(frame)
    dests = agg.airports(view, "dest").set_index("airport")
    counts = expected.dropna(subset=["dest_lat"]).groupby("dest", observed=True).size()
    assert dests["rows"].to_dict() == counts.to_dict()
    busiest = counts.idxmax()
    assert dests.loc[busiest, "lat"] == pytest.approx(
        frame[frame["dest"] == busiest]["dest_lat"].iloc[0]
    )
    top = agg.routes(view, top=5)
    coords = agg.route_coordinates(view, top)
    assert coords.shape == (5, 4)
    first = frame[
        (frame["origin"] == top.iloc[0]["origin"])
        & (frame["dest"] == top.iloc[0]["dest"])
    ].iloc[0]
    assert coords[0, 0] == pytest.approx(first["origin_lat"])
    assert coords[0, 2] == pytest.approx(first["dest_lat"], nan_ok=True)
