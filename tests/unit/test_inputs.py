"""The one parser per kind of client input: numbers, pattern ids, echoed text."""

from __future__ import annotations

import pytest

from data.inputs import (
    ECHO_LIMIT,
    BadInput,
    parse_number,
    pattern_column,
    shorten,
    values_by_column,
)


@pytest.mark.parametrize(
    "value, expected", [(3, 3.0), (2.5, 2.5), ("7", 7.0), (" -1e3 ", -1000.0)]
)
def test_numbers_that_parse(value, expected):
    assert parse_number(value, "Hour") == expected


@pytest.mark.parametrize(
    "value, words",
    [
        (10**400, "too large"),
        (True, "must be a number"),
        (None, "must be a number"),
        ([1], "must be a number"),
        ({"a": 1}, "must be a number"),
        ("nan", "finite"),
        ("inf", "finite"),
        (float("-inf"), "finite"),
        ("1e999", "finite"),
        ("twelve", "is not a number"),
        ("9" * 10_000, "is not a number"),
    ],
)
def test_numbers_that_do_not(value, words):
    with pytest.raises(BadInput, match=words) as caught:
        parse_number(value, "Hour")
    assert len(str(caught.value)) < 100


def test_shorten_bounds_any_value():
    assert shorten("abc") == "abc"
    assert len(shorten("x" * 10**6)) == ECHO_LIMIT
    assert len(shorten(list(range(10**5)))) <= ECHO_LIMIT
    assert len(shorten({"k" * 1000: ["v" * 1000] * 1000})) <= ECHO_LIMIT


def test_pattern_column_accepts_only_the_right_shape():
    assert pattern_column({"type": "t", "column": "a"}, "t", {"a"}) == "a"
    for bad in (
        {"type": "t", "column": ["a"]},
        {"type": "t"},
        {"type": "u", "column": "a"},
        {"type": "t", "column": "a", "extra": 1},
        {"type": "t", "column": "zz"},
        "t",
        None,
    ):
        with pytest.raises(BadInput):
            pattern_column(bad, "t", {"a"})


def test_values_by_column_pairs_and_checks():
    entries = [{"id": {"type": "t", "column": c}} for c in ("a", "b")]
    assert values_by_column(entries, [1, 2], "t", {"a", "b"}) == {"a": 1, "b": 2}
    with pytest.raises(BadInput):
        values_by_column(entries, [1], "t", {"a", "b"})
    with pytest.raises(BadInput, match="twice"):
        values_by_column(entries[:1] * 2, [1, 2], "t", {"a", "b"})
    with pytest.raises(BadInput):
        values_by_column(["junk"], [1], "t", {"a"})
    with pytest.raises(BadInput):
        values_by_column(entries, None, "t", {"a", "b"})
