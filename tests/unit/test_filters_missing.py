"""Rows with no value in a range filter (flights with no weather record): kept by default,
by a narrowed slider too, or left out when the user says so; checked, and kept in links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.share import (
    defaults,
    from_query,
    slider_range,
    to_query,
    view_from_link,
)
from data.dataset import Dataset
from data.filters import FilterError, Filters, missing_words, parse_missing
from data.spec import parse_spec

FRAME = pd.DataFrame(
    {
        "x": [1.0, 2.0, np.nan, 4.0, 5.0, np.nan],
        "w": [0.5, np.nan, 0.7, 0.1, 0.2, np.nan],
        "n": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # never missing
        "c": ["a", "b", "a", "b", "a", "b"],
        "y": [0, 1, 0, 1, 0, 1],
    }
)


def _dataset(missing_label: str = "") -> Dataset:
    raw = {
        "name": "tiny",
        "row_label": "trips",
        "source": {"path": "tiny.csv"},
        "target": {"column": "y", "positive": 1},
        "filters": {
            "categories": ["c"],
            "ranges": ["x", "w", "n"],
            "missing_label": missing_label,
        },
        "labels": {"w": "Wind"},
        "features": [
            {"column": "x", "label": "Visibility"},
            {"column": "c", "kind": "category"},
        ],
    }
    spec = parse_spec(raw, ".")
    return Dataset.from_frame(FRAME, spec)


def _kept(dataset: Dataset, **raw) -> list[int]:
    return dataset.filter(dataset.parse_filters(**raw)).rows.tolist()


def test_rows_missing_a_range_value_are_counted_once():
    dataset = _dataset()
    assert sorted(dataset.columns.missing) == ["w", "x"]  # n has every value
    assert dataset.missing_count == 3  # rows 1, 2 and 5
    assert dataset.missing_words == "3 trips with no visibility or wind"
    assert _dataset("with no reading").missing_words == "3 trips with no reading"


def test_a_narrowed_slider_keeps_them_by_default():
    dataset = _dataset()
    assert _kept(dataset, ranges={"x": [1, 2]}) == [0, 1, 2, 5]
    assert _kept(dataset, ranges={"x": [1, 2]}, missing=True) == [0, 1, 2, 5]


def test_leaving_them_out_drops_every_row_missing_any_range_value():
    dataset = _dataset()
    assert _kept(dataset, missing=False) == [0, 3, 4]
    assert _kept(dataset, ranges={"x": [1, 2]}, missing=False) == [0]
    # A range on a column no row misses filters as before.
    assert _kept(dataset, ranges={"n": [2, 3]}) == [1, 2]


def test_the_choice_means_nothing_without_missing_values():
    frame = FRAME.assign(x=FRAME["n"], w=FRAME["n"])
    dataset = Dataset.from_frame(frame, _dataset().spec)
    assert dataset.missing_count == 0 and dataset.missing_words == ""
    assert dataset.parse_filters(missing=False) == Filters()


@pytest.mark.parametrize("value", ["yes", 1, 0, [], {"keep": True}])
def test_anything_but_true_or_false_is_refused(value):
    with pytest.raises(FilterError, match="kept .true; 'in' in a link. or left out"):
        parse_missing(value)
    with pytest.raises(FilterError):
        _dataset().parse_filters(missing=value)


def test_missing_words_join_the_labels_in_the_users_words():
    assert missing_words("rows", 1, "", ["Age"]) == "1 rows with no age"
    assert (
        missing_words("flights", 1634, "", ["Visibility", "Wind speed", "Rain"])
        == "1,634 flights with no visibility, wind speed or rain"
    )


def test_a_link_says_missing_out_and_reads_it_back(app_context):
    base = defaults(app_context)
    span = [str(d) for d in base["dates"]]
    query = to_query(span, {}, base["ranges"], base["bins"], base, missing=False)
    assert query == "?missing=out"
    assert to_query(span, {}, base["ranges"], base["bins"], base, True) == ""
    spec = app_context.spec
    raw = from_query(query, spec.category_filters, spec.range_filters)
    assert raw["missing"] is False
    assert from_query("?missing=in", (), ())["missing"] is True
    initial, problem = view_from_link(app_context, "?missing=out&visib=0~5")
    assert problem is None and initial["missing"] is False
    assert view_from_link(app_context, "")[0]["missing"] is True


def test_a_tampered_missing_choice_falls_back_with_a_message(app_context):
    initial, problem = view_from_link(app_context, "?missing=maybe")
    assert "not applied" in problem and "'out'" in problem
    assert initial["missing"] is True


def test_a_range_that_covers_the_data_writes_nothing_to_the_link(app_context):
    base = defaults(app_context)
    bounds = {c: list(app_context.dataset.bounds(c)) for c in base["ranges"]}
    assert to_query(None, {}, bounds, None, base) == ""
    assert to_query(None, {}, base["ranges"], None, base) == ""


@pytest.mark.parametrize(
    "bounds, expected",
    [
        ((0, 42.57886), (0, 43, 1)),
        ((1, 23), (1, 23, 1)),
        ((0, 10), (0, 10, 0.1)),
        ((0, 1.21), (0, 1.21, 0.01)),
        ((4.3, 7.9), (4.3, 7.9, 0.1)),
        ((5, 5), (5, 5, None)),
    ],
)
def test_sliders_read_round_numbers_and_cover_the_data(bounds, expected):
    low, high, step = slider_range(*bounds)
    assert (low, high, step) == pytest.approx(expected)
    assert low <= bounds[0] and high >= bounds[1]
