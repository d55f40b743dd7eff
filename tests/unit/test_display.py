"""Numbers and categories as people read them: no scientific notation, calendar order,
one bin per value for whole numbers with few values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.categories import category_order, integer_levels
from data.dataset import _bin_edges
from data.formats import percent, plain


@pytest.mark.parametrize(
    "value, text",
    [
        (2700, "2,700"),
        (2712.345, "2,712"),
        (0.0312, "0.0312"),
        (15.5, "15.5"),
        (-3.14159, "-3.142"),
        (123456.789, "123,457"),
        (1e-8, "1.000e-08"),
    ],
)
def test_plain_numbers(value, text):
    assert plain(value) == text


@pytest.mark.parametrize(
    "p, text",
    [
        (0.0004, "< 0.1%"),
        (0.2345, "23.4%"),
        (0.9996, "> 99.9%"),
        (0, "0%"),
        (1, "100%"),
    ],
)
def test_probabilities_never_round_to_zero(p, text):
    assert percent(p) == text


def test_months_and_weekdays_in_calendar_order():
    months = ["Mar", "Jan", "December", "feb"]
    assert category_order(months, "month") == ["Jan", "feb", "Mar", "December"]
    assert category_order(["10", "9", "1"], "month") == ["1", "9", "10"]
    days = ["Sunday", "Mon", "Wednesday"]
    assert category_order(days, "weekday") == ["Mon", "Wednesday", "Sunday"]


def test_explicit_order_then_the_rest_and_numbers_by_value():
    assert category_order(
        ["pro", "basic", "plus", "trial"], order=("basic", "plus", "pro")
    ) == [
        "basic",
        "plus",
        "pro",
        "trial",
    ]
    assert category_order(["10", "2", "1"]) == ["1", "2", "10"]
    assert category_order(["b", "A", "c"]) == ["A", "b", "c"]


def test_whole_numbers_with_few_values_get_one_bin_each():
    hours = np.array([5, 6, 6, 7, 23], dtype=float)
    assert integer_levels(hours) == [5, 6, 7, 23]
    edges = _bin_edges(hours.astype(np.float32))
    assert edges.tolist() == [4.5, 5.5, 6.5, 7.5, 23.5]
    assert integer_levels(np.arange(100.0)) == []  # too many: quantile bins instead
    assert integer_levels(np.array([0.5, 1.0])) == []


def test_month_kind_orders_the_schema_and_the_dataset(tmp_path):
    from data.dataset import Dataset
    from data.spec import parse_spec
    from model.schema import feature_schema

    spec = parse_spec(
        {
            "name": "m",
            "source": {"path": "m.csv"},
            "target": {"column": "y", "task": "regression"},
            "filters": {"categories": ["month"]},
            "features": [{"column": "month", "kind": "month"}],
        },
        tmp_path,
    )
    frame = pd.DataFrame({"month": ["Mar", "Jan", "Feb", "Jan"], "y": [1.0, 2, 3, 4]})
    (entry,) = feature_schema(spec, frame[["month"]])
    assert entry.categories == ["Jan", "Feb", "Mar"] and entry.kind == "category"
    assert Dataset.from_frame(frame, spec).categories("month") == ["Jan", "Feb", "Mar"]
