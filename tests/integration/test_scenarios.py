"""Scenario callbacks over real POSTs: saved only when the inputs and the name are good,
compared only from well-formed ids, four at most, each one scored and logged; links of
others open, deletes are the owner's alone."""

from __future__ import annotations

import json

import pytest

from components import ids
from data.scenarios import ScenarioStore
from tests.integration.dash_requests import (
    find_output,
    pattern_inputs,
    post_callback,
    render_page,
    sign_in,
)

SAVE_CLICKED = f"{ids.SCENARIO_SAVE}.n_clicks"
PICKED = f"{ids.COMPARE_PICK}.value"


def _save(client, name, values: dict):
    output = find_output(client, f"{ids.SCENARIO_MESSAGE}.children")
    inputs = [
        {"id": ids.SCENARIO_SAVE, "property": "n_clicks", "value": 1},
        {"id": ids.SCENARIO_NAME, "property": "n_submit", "value": None},
    ]
    state = [
        {"id": ids.SCENARIO_NAME, "property": "value", "value": name},
        pattern_inputs(ids.PREDICT_INPUT, values),
    ]
    response = post_callback(client, output, inputs, [SAVE_CLICKED], state)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def _compare(client, picked):
    output = find_output(client, f"{ids.COMPARE_VALUES}.figure")
    inputs = [{"id": ids.COMPARE_PICK, "property": "value", "value": picked}]
    return post_callback(client, output, inputs, [PICKED])


@pytest.fixture()
def store(app_context):
    return ScenarioStore(app_context.database)


def test_save_needs_good_inputs_and_a_name(client, app_context, store):
    before = len(store.list("ana"))
    defaults = app_context.service.defaults()
    for name, values, words in [
        ("", defaults, "give the scenario a name"),
        ("x" * 200, defaults, "at most 80"),
        ("ok", {**defaults, "hour": "abc"}, "is not a number"),
        ("ok", {**defaults, "carrier": "<b>ZZ</b>"}, "is not a known value"),
        ({"a": 1}, defaults, "give the scenario a name"),
    ]:
        said = json.dumps(_save(client, name, values)[ids.SCENARIO_MESSAGE])
        assert "Not saved" in said and words in said, said
    assert len(store.list("ana")) == before

    body = _save(client, "Evening <i>UA</i>", {**defaults, "hour": 18})
    saved = store.list("ana")[0]
    assert saved.name == "Evening <i>UA</i>" and saved.inputs["hour"] == 18.0
    assert body[ids.PREDICT_URL]["search"] == f"?scenario={saved.id}"


def test_compare_scores_each_and_logs_each(client, app_context, store):
    defaults = app_context.service.defaults()
    made = [
        store.save(
            "ana",
            f"h{h}",
            app_context.service.validate({**defaults, "hour": h})[0],
            None,
        )
        for h in (6, 12, 18, 21, 23)
    ]
    logged = app_context.log.count(source="compare")
    response = _compare(client, [s.id for s in made])  # five: the first four are shown
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert "Only 4 at a time" in json.dumps(body[ids.COMPARE_MESSAGE])
    assert body[ids.COMPARE_VALUES]["figure"]["data"][0]["x"] == [
        "h6",
        "h12",
        "h18",
        "h21",
    ]
    assert body[ids.COMPARE_URL]["search"].count("s=") == 4
    assert app_context.log.count(source="compare") == logged + 4


@pytest.mark.parametrize(
    "picked", [None, "abc", [1, 2], [{"id": "x"}], ["../../etc/passwd"], ["a" * 5000]]
)
def test_compare_ignores_ids_that_are_not_ids(client, picked):
    response = _compare(client, picked)
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        assert "figure" not in json.dumps(response.get_json())


def test_others_open_a_shared_link_but_cannot_delete(dash_app, app_context, store):
    values = app_context.service.validate(app_context.service.defaults())[0]
    mine = store.save("ana", "Ana's", values, None)
    other = sign_in(dash_app.server.test_client(), "ada")
    page = json.dumps(render_page(other, "/compare", f"?s={mine.id}").get_json())
    assert "Ana's (shared by ana)" in page
    output = find_output(other, f"{ids.COMPARE_PICK}.options")
    response = post_callback(
        other,
        output,
        [{"id": ids.COMPARE_DELETE, "property": "n_clicks", "value": 1}],
        [f"{ids.COMPARE_DELETE}.n_clicks"],
        [
            {"id": ids.COMPARE_PICK, "property": "value", "value": [mine.id]},
            {"id": ids.COMPARE_PICK, "property": "options", "value": []},
        ],
    )
    assert "None of the ticked scenarios is yours" in json.dumps(response.get_json())
    assert store.get(mine.id) is not None


def test_viewers_cannot_save(dash_app, app_context):
    viewer = sign_in(dash_app.server.test_client(), "vic")
    output = find_output(viewer, f"{ids.SCENARIO_MESSAGE}.children")
    response = post_callback(
        viewer,
        output,
        [
            {"id": ids.SCENARIO_SAVE, "property": "n_clicks", "value": 1},
            {"id": ids.SCENARIO_NAME, "property": "n_submit", "value": None},
        ],
        [SAVE_CLICKED],
        [
            {"id": ids.SCENARIO_NAME, "property": "value", "value": "x"},
            pattern_inputs(ids.PREDICT_INPUT, app_context.service.defaults()),
        ],
    )
    assert response.status_code == 403
