"""The spec's [names] (display names of category codes) and [filters] missing_label:
checked strictly, named in the user's words, and no part of any fingerprint."""

from __future__ import annotations

import copy
import tomllib

import pytest

from config import DEFAULT_SPEC
from data.spec import SpecError, json_schema, parse_spec
from data.spec_check import check_columns, column_references


@pytest.fixture()
def flights_raw() -> dict:
    return tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))


def _parsed(raw: dict):
    return parse_spec(raw, DEFAULT_SPEC.parent, "flights.toml")


def _problems(raw: dict) -> list[str]:
    with pytest.raises(SpecError) as caught:
        _parsed(raw)
    return caught.value.problems


def test_names_give_category_codes_display_names(flights_raw):
    flights_raw["names"] = {"carrier": {"UA": "United"}, "dest": {"ATL": "Atlanta"}}
    spec = _parsed(flights_raw)
    assert spec.names == {"carrier": {"UA": "United"}, "dest": {"ATL": "Atlanta"}}
    assert spec.category_columns == ["carrier", "origin", "dest"]


def test_names_for_a_column_that_is_no_category_say_which_are(flights_raw):
    flights_raw["names"] = {"dep_delay": {"1": "one"}, "carier": {"UA": "United"}}
    problems = _problems(flights_raw)
    allowed = (
        "carrier, origin, dest, weekday, hour, distance, plane_age, holiday_days, "
    )
    assert problems[0].startswith(
        "[names] 'dep_delay' is not a category feature, filter or geo column, nor a "
        "number feature (" + allowed
    )
    assert problems[1].endswith("; did you mean `carrier`?")
    assert len(problems) == 2


def test_a_number_feature_names_its_values(flights_raw):
    spec = _parsed(flights_raw)  # the flights spec names the weekdays
    assert spec.names["weekday"]["4"] == "Friday"
    flights_raw["names"] = {"hour": {"6": "six", "noon": "12"}}
    assert _problems(flights_raw) == [
        "[names.hour] 'noon' is not a number: hour is a number feature, so its names "
        "are keyed by value"
    ]


@pytest.mark.parametrize(
    "names, words",
    [
        ({"carrier": {"UA": ""}}, "[names] carrier UA: String should have at least"),
        ({"carrier": {"UA": 3}}, "[names] carrier UA: Input should be a valid string"),
        ({"carrier": "United"}, "[names] carrier: Input should be a valid dictionary"),
    ],
)
def test_a_bad_name_is_one_line_naming_the_code(flights_raw, names, words):
    flights_raw["names"] = names
    (problem,) = _problems(flights_raw)
    assert problem.startswith(words), problem


def test_unknown_keys_stay_errors(flights_raw):
    flights_raw["filters"]["missing_labl"] = "x"
    flights_raw["name_s"] = {}
    problems = _problems(flights_raw)
    assert any("`missing_labl`" in p and "`missing_label`" in p for p in problems)
    assert "unknown section [name_s]; did you mean [names]?" in problems


def test_names_and_missing_words_change_no_fingerprint(flights_raw):
    before = _parsed(copy.deepcopy(flights_raw))
    flights_raw["names"] = {"carrier": {"UA": "United"}}
    flights_raw["filters"]["missing_label"] = "with no weather at all"
    after = _parsed(flights_raw)
    for scope in ("data", "model"):
        assert after.fingerprint(scope) == before.fingerprint(scope)


def test_names_columns_are_checked_against_the_data(flights_raw):
    flights_raw["names"] = {"carrier": {"UA": "United"}}
    spec = _parsed(flights_raw)
    assert ("[names]", "carrier") in column_references(spec)
    problems = check_columns(spec, ["origin", "dest"])
    assert any(p.startswith("[names]: 'carrier' is not a column") for p in problems)


def test_the_schema_knows_names_and_missing_label():
    schema = json_schema()
    names = schema["properties"]["names"]
    assert names["additionalProperties"]["additionalProperties"]["minLength"] == 1
    assert "missing_label" in schema["$defs"]["Filters"]["properties"]
    assert schema["$defs"]["Filters"]["additionalProperties"] is False
