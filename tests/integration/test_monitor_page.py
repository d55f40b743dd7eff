"""The Monitor page's callbacks over HTTP: the door keeps viewers out of the log, and
tampered requests from an analyst get a message in words, never a 500."""

from __future__ import annotations

import json

import pytest

from components import ids
from tests.integration.dash_requests import find_output, post_callback, sign_in

GRID_ROWS = f"{ids.LOG_GRID}.getRowsResponse"
GRID_REQUEST = f"{ids.LOG_GRID}.getRowsRequest"


def _rows(client, request):
    output = find_output(client, GRID_ROWS)
    inputs = [{"id": ids.LOG_GRID, "property": "getRowsRequest", "value": request}]
    return post_callback(client, output, inputs, [GRID_REQUEST])


def _refresh(client, app_context, **changes):
    controls = {
        "start_date": "2013-11-01",
        "end_date": "2013-12-31",
        "granularity": "day",
        "source": "all",
        "version": app_context.service.version,
    } | changes
    ids_by_name = {
        "start_date": (ids.MONITOR_DATES, "start_date"),
        "end_date": (ids.MONITOR_DATES, "end_date"),
        "granularity": (ids.MONITOR_GRANULARITY, "value"),
        "source": (ids.MONITOR_SOURCE, "value"),
        "version": (ids.MONITOR_VERSION, "value"),
    }
    inputs = [
        {"id": ident, "property": prop, "value": controls[name]}
        for name, (ident, prop) in ids_by_name.items()
    ]
    state = [{"id": ids.LOG_GRID, "property": "filterModel", "value": None}]
    output = find_output(client, f"{ids.MONITOR_KPIS}.children")
    return post_callback(
        client, output, inputs, [f"{ids.MONITOR_DATES}.start_date"], state
    )


def test_a_viewer_cannot_read_the_log_or_the_report(dash_app, app_context):
    viewer = sign_in(dash_app.server.test_client(), "vic")
    for response in (
        _rows(viewer, {"startRow": 0, "endRow": 10}),
        _refresh(viewer, app_context),
    ):
        assert response.status_code == 403
        assert "analyst role" in response.get_json()["message"]


def test_an_analyst_reads_a_page_of_the_log(client):
    response = _rows(client, {"startRow": 0, "endRow": 10, "sortModel": []})
    assert response.status_code == 200
    answer = response.get_json()["response"]
    assert "rowData" in answer[ids.LOG_GRID]["getRowsResponse"]


@pytest.mark.parametrize(
    "request_, words",
    [
        ({"startRow": 0, "endRow": 10, "filterModel": {"inputs": {}}}, "no column"),
        ({"startRow": -5, "endRow": 10}, "out of range"),
        ({"startRow": 10**400, "endRow": 10}, "too large"),
        ({"startRow": 0, "endRow": 10, "sortModel": [{"colId": ["x"]}]}, "sorted"),
        ("SELECT 1", "not a request"),
    ],
)
def test_tampered_grid_requests_get_words_not_a_500(client, request_, words):
    response = _rows(client, request_)
    assert response.status_code == 200, response.data[:300]
    answer = response.get_json()["response"]
    assert answer[ids.LOG_GRID]["getRowsResponse"] == {"rowData": [], "rowCount": 0}
    assert words in json.dumps(answer[ids.LOG_MESSAGE])


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"start_date": 10**400}, "must be a date"),
        ({"granularity": ["day"]}, "day or week"),
        ({"version": {"$gt": ""}}, "no model version"),
        ({"source": "x" * 5000}, "No prediction was logged from source"),
    ],
)
def test_tampered_controls_get_words_not_a_500(client, app_context, changes, words):
    response = _refresh(client, app_context, **changes)
    assert response.status_code == 200, response.data[:300]
    message = json.dumps(response.get_json()["response"][ids.MONITOR_MESSAGE])
    assert words in message and "Not refreshed" in message
