"""The bench's reading of locust's final stats (bench/load.py): percentiles and rates."""

from __future__ import annotations

import math

import pytest

from bench.load import percentile, summary

# locust's histogram: {rounded response time in ms: requests}, keys as JSON strings.
TIMES = {"10": 50, "20": 45, "100": 4, "1200": 1}


@pytest.mark.parametrize(
    ("q", "ms"), [(50, 10.0), (95, 20.0), (99, 100.0), (100, 1200.0)]
)
def test_percentile_walks_the_histogram_in_order_of_time(q, ms):
    assert percentile(TIMES, q) == ms


def test_percentile_of_nothing_is_nan():
    assert math.isnan(percentile({}, 50))


def test_summary_rate_is_requests_over_the_run():
    entry = {
        "num_requests": 100,
        "num_failures": 2,
        "start_time": 1000.0,
        "last_request_timestamp": 1004.0,
        "response_times": TIMES,
    }
    found = summary(entry)
    assert found["rps"] == pytest.approx(25.0)
    assert (found["requests"], found["failures"]) == (100, 2)
    assert (found["p50_ms"], found["p95_ms"], found["p99_ms"]) == (10.0, 20.0, 100.0)
