"""The door's check of a callback request's shape against what the callback declares."""

from __future__ import annotations

import pytest

from server.callback_requests import callback_request_problem, declared_outputs

PATTERN = '{"column":["ALL"],"type":"predict-input"}'
MULTI = "..predict-message.children...predict-result.children.."
CALLBACKS = {
    MULTI: {"inputs": [{"id": PATTERN, "property": "value"}], "state": []},
    "page.children": {
        "inputs": [{"id": "url", "property": "pathname"}],
        "state": [{"id": "url", "property": "search"}],
    },
}


def _predict_body(**changes) -> dict:
    body = {
        "output": MULTI,
        "outputs": [
            {"id": "predict-message", "property": "children"},
            {"id": "predict-result", "property": "children"},
        ],
        "inputs": [
            [
                {
                    "id": {"type": "predict-input", "column": "hour"},
                    "property": "value",
                    "value": 5,
                }
            ]
        ],
        "changedPropIds": ['{"column":"hour","type":"predict-input"}.value'],
    }
    return {**body, **changes}


def test_a_well_formed_request_passes():
    assert callback_request_problem(_predict_body(), CALLBACKS) is None
    page = {
        "output": "page.children",
        "outputs": {"id": "page", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": "/"}],
        "state": [{"id": "url", "property": "search"}],  # no value: undefined in JS
    }
    assert callback_request_problem(page, CALLBACKS) is None


@pytest.mark.parametrize(
    "body, words",
    [
        ([1, 2], "JSON object"),
        ("x", "JSON object"),
        (_predict_body(output="nope.children"), "unknown callback"),
        (_predict_body(output=["x"]), "unknown callback"),
        (_predict_body(output="z" * 10_000), "unknown callback"),
        (_predict_body(changedPropIds=[{"a": 1}]), "changedPropIds"),
        (_predict_body(changedPropIds="x"), "changedPropIds"),
        (_predict_body(changedPropIds=["x"] * 1000), "changedPropIds"),
        (_predict_body(inputs=[]), "must list"),
        (_predict_body(inputs=None), "must list"),
        (_predict_body(inputs=[{"id": "x", "property": "value"}]), "list of matches"),
        (_predict_body(inputs=[[1]]), "malformed match"),
        (_predict_body(inputs=[[{"id": "hour", "property": "value"}]]), "malformed"),
        (
            _predict_body(
                inputs=[[{"id": {"type": "other", "column": "a"}, "property": "value"}]]
            ),
            "another type",
        ),
        (
            _predict_body(
                inputs=[
                    [{"id": {"type": "predict-input", "column": "a"}, "property": "x"}]
                ]
            ),
            "another property",
        ),
        (_predict_body(state=[{"id": "url", "property": "search"}]), "must list"),
        (_predict_body(outputs={"id": "predict-message"}), "must list"),
        (_predict_body(outputs=[1, 2]), "must be an object"),
        (
            _predict_body(
                outputs=[
                    {"id": "predict-message", "property": "children"},
                    {"id": "elsewhere", "property": "children"},
                ]
            ),
            "is not predict-result.children",
        ),
    ],
)
def test_malformed_requests_say_why(body, words):
    problem = callback_request_problem(body, CALLBACKS)
    assert problem and words in problem and len(problem) < 120


def test_declared_outputs_parse_dash_keys():
    assert declared_outputs("page.children") == [{"id": "page", "property": "children"}]
    assert [o["id"] for o in declared_outputs(MULTI)] == [
        "predict-message",
        "predict-result",
    ]
