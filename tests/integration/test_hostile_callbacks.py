"""Tampered callback payloads that crashed our own code get a message, never a 500."""

from __future__ import annotations

import json

import pytest

from components import ids
from tests.integration.dash_requests import (
    find_output,
    overview_inputs,
    pattern_inputs,
    post_callback,
)

HUGE = 10**400  # a 400-digit JSON integer: float() of it raises OverflowError
PREDICT_CHANGED = '{"column":"hour","type":"predict-input"}.value'
CATEGORY_CHANGED = '{"column":"carrier","type":"overview-category-filter"}.value'


def _predict_raw(client, entries: list[dict]):
    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    return post_callback(client, output, [entries], [PREDICT_CHANGED])


def _message(response, component: str) -> str:
    assert response.status_code == 200, response.data[:300]
    return json.dumps(response.get_json()["response"][component])


def test_huge_integer_in_a_prediction_input_is_a_message(client, app_context):
    values = {**app_context.service.defaults(), "hour": HUGE}
    entries = pattern_inputs(ids.PREDICT_INPUT, values)
    message = _message(_predict_raw(client, entries), ids.PREDICT_MESSAGE)
    assert "departure hour is too large to be a number" in message


def test_huge_integer_threshold_is_a_message(client):
    output = find_output(
        client, f"..{ids.CONFUSION_CHART}.figure...{ids.CONFUSION_SUMMARY}.children.."
    )
    response = post_callback(
        client,
        output,
        [{"id": ids.THRESHOLD, "property": "value", "value": HUGE}],
        [f"{ids.THRESHOLD}.value"],
    )
    assert "between 0 and 1" in _message(response, ids.CONFUSION_SUMMARY)


def test_huge_integer_range_filter_is_a_message(client, app_context):
    output = find_output(client, f"{ids.KPI_ROW}.children")
    inputs = overview_inputs(app_context, ranges={"hour": [0, HUGE]})
    response = post_callback(client, output, inputs, [CATEGORY_CHANGED])
    assert "Filters not applied" in _message(response, ids.FILTER_MESSAGE)


@pytest.mark.parametrize(
    "bad_id",
    [
        {"type": ids.PREDICT_INPUT, "column": ["hour", "month"]},
        {"type": ids.PREDICT_INPUT, "column": {"nested": 1}},
        {"type": ids.PREDICT_INPUT, "column": None},
    ],
)
def test_malformed_predict_input_ids_are_a_message(client, app_context, bad_id):
    entries = pattern_inputs(ids.PREDICT_INPUT, app_context.service.defaults())
    entries.append({"id": bad_id, "property": "value", "value": 3})
    message = _message(_predict_raw(client, entries), ids.PREDICT_MESSAGE)
    assert "Fix these inputs" in message


@pytest.mark.parametrize(
    "bad_id",
    [{"type": ids.PREDICT_INPUT}, {"column": "hour"}, "hour", ["hour"]],
)
def test_predict_ids_of_the_wrong_shape_are_refused_at_the_door(
    client, app_context, bad_id
):
    entries = pattern_inputs(ids.PREDICT_INPUT, app_context.service.defaults())
    entries.append({"id": bad_id, "property": "value", "value": 3})
    response = _predict_raw(client, entries)
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad Request"
    assert "inputs[0]" in response.get_json()["message"]


def test_unknown_columns_of_mixed_types_are_a_message(client, app_context):
    entries = pattern_inputs(ids.PREDICT_INPUT, app_context.service.defaults())
    entries += [
        {
            "id": {"type": ids.PREDICT_INPUT, "column": 7},
            "property": "value",
            "value": 1,
        },
        {
            "id": {"type": ids.PREDICT_INPUT, "column": "zz"},
            "property": "value",
            "value": 1,
        },
    ]
    message = _message(_predict_raw(client, entries), ids.PREDICT_MESSAGE)
    assert "Fix these inputs" in message


def test_echoed_values_are_cut_short(client, app_context):
    long_value = "Z" * 100_000
    output = find_output(client, f"{ids.KPI_ROW}.children")
    inputs = overview_inputs(app_context, categories={"carrier": [long_value]})
    response = post_callback(client, output, inputs, [CATEGORY_CHANGED])
    assert response.status_code == 200
    assert len(response.data) < 2_000
    assert "Filters not applied" in _message(response, ids.FILTER_MESSAGE)
