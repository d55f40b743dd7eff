"""Dataset specs: the default loads, and broken specs say what is wrong."""

from __future__ import annotations

import pytest

from data.spec import SpecError, load_spec, parse_spec

MINIMAL = {
    "name": "tiny",
    "source": {"path": "tiny.csv"},
    "target": {"column": "y", "task": "regression"},
    "features": [{"column": "x", "kind": "number", "label": "X"}],
}


def test_flights_spec_loads(flights_spec):
    assert flights_spec.target == "delayed"
    assert flights_spec.is_classification
    assert "carrier" in flights_spec.category_features
    assert flights_spec.geo is not None and flights_spec.whatif_feature == "hour"


def test_minimal_spec_resolves_path_next_to_spec(tmp_path):
    spec = parse_spec(MINIMAL, tmp_path)
    assert spec.source_path == (tmp_path / "tiny.csv").resolve()
    assert spec.task == "regression" and spec.geo is None and spec.time_column is None


@pytest.mark.parametrize(
    "change, words",
    [
        ({"target": {"column": "y", "task": "ranking"}}, "task 'ranking'"),
        ({"source": {}}, "'loader' or 'path'"),
        ({"features": []}, "at least one"),
        ({"features": [{"column": "y"}]}, "cannot also be a feature"),
        ({"features": [{"column": "x", "kind": "text"}]}, "kind 'text'"),
        ({"time": {"train_end": "2020-01-01"}}, "both train_end and valid_end"),
    ],
)
def test_bad_specs_are_refused_with_a_reason(tmp_path, change, words):
    with pytest.raises(SpecError, match=words):
        parse_spec({**MINIMAL, **change}, tmp_path)


def test_missing_or_invalid_file(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = ")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(broken)
