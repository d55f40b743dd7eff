"""The spec's [monitor] section: its defaults, its checks in the user's words, and that
editing it rebuilds nothing."""

from __future__ import annotations

import tomllib

import pytest

from config import DEFAULT_SPEC
from data.spec import load_spec, parse_spec
from data.spec_check import check_columns
from data.spec_sections import Alerts
from tests.unit.test_spec import BINARY, problems_of, spec_text, write_spec

FILTERS = '[filters]\ncategories = ["region", "c"]'


def test_flights_monitor_settings(flights_spec):
    monitor = flights_spec.monitor
    assert monitor.segments == ("carrier", "origin")
    assert monitor.keys == ("carrier", "flight", "sched_dep")
    assert monitor.min_n == 200
    assert monitor.alerts == Alerts(
        psi=0.25, auc_drop=0.05, latency_p95_ms=500.0, error_rate=0.01
    )


def test_defaults_segment_by_the_category_filters_that_are_features(tmp_path):
    spec = load_spec(write_spec(tmp_path, spec_text(target=BINARY, extra=FILTERS)))
    monitor = spec.monitor
    assert monitor.segments == ("c",)  # 'region' filters but is no feature
    assert monitor.keys == () and monitor.min_n == 200
    assert monitor.alerts.psi == 0.25 and monitor.alerts.latency_p95_ms == 500.0


def test_no_filters_and_an_explicit_empty_list_mean_no_segments(tmp_path):
    plain = load_spec(write_spec(tmp_path, spec_text(target=BINARY)))
    assert plain.monitor.segments == ()
    extra = FILTERS + "\n\n[monitor]\nsegments = []"
    none = load_spec(write_spec(tmp_path, spec_text(target=BINARY, extra=extra)))
    assert none.monitor.segments == ()


def test_given_settings_are_kept(tmp_path):
    extra = (
        '[monitor]\nsegments = ["c"]\nkeys = ["t", "x"]\nmin_n = 50\n\n'
        "[monitor.alerts]\nauc_drop = 0.02\nerror_rate = 0.1"
    )
    spec = load_spec(write_spec(tmp_path, spec_text(target=BINARY, extra=extra)))
    assert spec.monitor.keys == ("t", "x") and spec.monitor.min_n == 50
    assert (spec.monitor.alerts.auc_drop, spec.monitor.alerts.error_rate) == (0.02, 0.1)
    assert spec.monitor.alerts.psi == 0.25  # the rest keep their defaults


def test_segments_and_keys_contradictions_are_one_line_each(tmp_path):
    extra = '[monitor]\nsegments = ["x", "cc"]\nkeys = ["y", "t", "t"]'
    problems = problems_of(write_spec(tmp_path, spec_text(target=BINARY, extra=extra)))
    assert problems == [
        "[monitor] segments: 'x' is not a category feature (c)",
        "[monitor] segments: 'cc' is not a category feature (c); did you mean `c`?",
        "[monitor] keys lists ['t'] more than once",
        "[monitor] keys: the target 'y' is the outcome itself; "
        "keys name the event it belongs to",
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("[monitor]\nmin_n = 0", "[monitor] min_n: Input should be greater than or"),
        ("[monitor]\nmin_n = 2.5", "[monitor] min_n: Input should be a valid integer"),
        ("[monitor.alerts]\npsi = 0", "[monitor] alerts psi: Input should be greater"),
        ("[monitor.alerts]\nlatency_p95_ms = -5", "[monitor] alerts latency_p95_ms:"),
        ("[monitor.alerts]\nerror_rate = 2", "[monitor] alerts error_rate: Input"),
        ("[monitor.alerts]\nauc_drop = 0", "[monitor] alerts auc_drop: Input should"),
        (
            "[monitor.alerts]\nlatency_p95 = 3",
            "unknown key `latency_p95` in [monitor] alerts; did you mean "
            "`latency_p95_ms`?",
        ),
        ('[monitor]\nsegments = "c"', "[monitor] segments: must be a list such as"),
    ],
)
def test_bad_values_are_named(tmp_path, extra, expected):
    path = write_spec(tmp_path, spec_text(target=BINARY, extra=extra))
    (problem,) = problems_of(path)
    assert problem.startswith(expected)


def test_check_finds_keys_that_are_not_columns():
    raw = tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    raw["monitor"]["keys"] = ["carrier", "flight_no", "sched_dep"]
    spec = parse_spec(raw, DEFAULT_SPEC.parent)
    header = ["carrier", "flight", "sched_dep", "delayed"]
    problems = [p for p in check_columns(spec, header) if "[monitor]" in p]
    assert problems == [
        "[monitor] keys: 'flight_no' is not a column of the flights loader; "
        "did you mean `flight`?"
    ]


def test_editing_monitor_changes_no_fingerprint():
    raw = tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    before = parse_spec(raw, DEFAULT_SPEC.parent)
    raw["monitor"] = {
        "segments": ["dest"],
        "keys": ["flight"],
        "min_n": 10,
        "alerts": {"psi": 0.5, "latency_p95_ms": 50.0},
    }
    after = parse_spec(raw, DEFAULT_SPEC.parent)
    assert after.monitor.segments == ("dest",)
    for scope in ("data", "model"):
        assert after.fingerprint(scope) == before.fingerprint(scope)
