"""Real POSTs to /_dash-update-component through the Flask test client."""

from __future__ import annotations

import json

import numpy as np
import pytest

from components import ids
from data.ingest import processed_path, read_processed
from data.target import target_numbers
from tests.integration.dash_requests import (
    find_output,
    overview_inputs,
    pattern_inputs,
    post_callback,
    render_page,
)

CATEGORY_CHANGED = '{"column":"carrier","type":"overview-category-filter"}.value'
PREDICT_CHANGED = '{"column":"hour","type":"predict-input"}.value'


@pytest.fixture(scope="module")
def frame(small_settings, flights_spec):
    """The processed sample, its target as numbers (1 = delayed) for pandas to compare."""
    frame, _ = read_processed(
        processed_path(small_settings, flights_spec), flights_spec
    )
    return frame.assign(delayed=target_numbers(frame["delayed"]))


def _refresh(client, ctx, **filters):
    output = find_output(client, f"{ids.KPI_ROW}.children")
    response = post_callback(
        client, output, overview_inputs(ctx, **filters), [CATEGORY_CHANGED]
    )
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def test_health_and_ready(client, app_context):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["model_version"] == app_context.service.version
    assert ready.get_json()["database"] is True
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_filter_change_matches_pandas(client, app_context, frame):
    picks = ["UA", "DL"]
    response = _refresh(
        client,
        app_context,
        categories={"carrier": picks},
        ranges={"hour": [8, 18]},
        dates=["2013-03-01", "2013-08-31"],
    )
    chart = response[ids.CATEGORY_CHART]["figure"]
    bars = chart["data"][0]
    expected = frame[
        frame["carrier"].isin(picks)
        & frame["hour"].between(8, 18)
        & (frame["sched_dep"] >= "2013-03-01")
        & (frame["sched_dep"] < "2013-09-01")
    ]
    rates = expected.groupby("carrier", observed=True)["delayed"].mean()
    got = dict(zip(bars["y"], _decode(bars["x"]), strict=True))  # bars lie down
    assert set(got) == set(picks)
    for carrier in picks:
        assert got[carrier] == pytest.approx(rates[carrier], abs=1e-6)
    kpi_text = json.dumps(response[ids.KPI_ROW]["children"])
    assert f"{len(expected):,}" in kpi_text


def _post_rest(client, ctx, **filters):
    """The second step's request: the charts below the first screen and the routes."""
    output = find_output(client, f"{ids.ROUTES_TABLE}.children")
    return post_callback(
        client,
        output,
        [{"id": ids.OVERVIEW_FIRST_DRAWN, "property": "data", "value": {"at": 1.0}}],
        [f"{ids.OVERVIEW_FIRST_DRAWN}.data"],
        state=overview_inputs(ctx, **filters),
    )


def _rest(client, ctx, **filters):
    response = _post_rest(client, ctx, **filters)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def test_the_first_screen_comes_first_then_the_rest(client, app_context):
    first = _refresh(client, app_context)
    assert {ids.KPI_ROW, ids.CATEGORY_CHART, ids.HEATMAP_CHART} <= set(first)
    assert ids.MAP_CHART not in first and ids.ROUTES_TABLE not in first
    sent = first[ids.OVERVIEW_FIRST_SENT]["data"]  # the browser waits for these charts
    assert sent["charts"] == [ids.CATEGORY_CHART, ids.HEATMAP_CHART, ids.TREND_CHART]
    rest = _rest(client, app_context)
    assert {ids.MAP_CHART, ids.DISTRIBUTION_CHART, ids.ROUTES_TABLE} <= set(rest)
    assert ids.KPI_ROW not in rest and ids.CATEGORY_CHART not in rest


def test_the_rest_with_tampered_filters_changes_nothing(client, app_context):
    response = _post_rest(client, app_context, categories={"carrier": ["ZZ"]})
    assert response.status_code == 204


def test_no_raw_rows_sent(client, app_context):
    response = _refresh(client, app_context) | _rest(client, app_context)
    body = json.dumps(response)
    assert len(body) < 1_000_000
    for chart, value in response.items():
        if "figure" in value:
            assert len(json.dumps(value["figure"])) < 200_000, chart
    table = json.dumps(response[ids.ROUTES_TABLE]["children"])
    assert 0 < table.count('"type": "Tr"') <= 51  # the header row and 50 routes at most


@pytest.mark.parametrize(
    "bad",
    [
        {"categories": {"carrier": ["ZZ"]}},
        {"categories": {"carrier": [1, 2]}},
        {"ranges": {"hour": ["a", "b"]}},
        {"ranges": {"hour": [20, 5]}},
        {"dates": ["not-a-date", "2013-02-01"]},
        {"bins_column": "dep_delay; drop table"},
    ],
)
def test_tampered_filters_get_a_message(client, app_context, bad):
    output = find_output(client, f"{ids.KPI_ROW}.children")
    response = post_callback(
        client, output, overview_inputs(app_context, **bad), [CATEGORY_CHANGED]
    )
    assert response.status_code == 200
    message = json.dumps(response.get_json()["response"][ids.FILTER_MESSAGE])
    assert "Filters not applied" in message
    assert ids.KPI_ROW not in response.get_json()["response"]


def _predict(client, values: dict):
    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    return post_callback(
        client, output, [pattern_inputs(ids.PREDICT_INPUT, values)], [PREDICT_CHANGED]
    )


def test_whatif_matches_pipeline_and_is_logged(client, app_context):
    service = app_context.service
    values = {**service.defaults(), "hour": 18, "carrier": "EV"}
    logged_before = app_context.log.count()
    response = _predict(client, values)
    assert response.status_code == 200
    result = json.dumps(response.get_json()["response"][ids.PREDICT_RESULT]["children"])
    clean, _ = service.validate(values)
    direct = service.pipeline.predict_proba(service.frame([clean]))[0, 1]
    assert f"{direct:.1%}" in result
    assert service.version in result
    curve = response.get_json()["response"][ids.PREDICT_WHATIF]["figure"]["data"][1]
    assert _decode(curve["y"])[0] == pytest.approx(direct)
    assert app_context.log.count() == logged_before + 1
    row = app_context.log.recent(1)[0]
    assert (
        row["output"] == pytest.approx(direct)
        and row["model_version"] == service.version
    )


@pytest.mark.parametrize(
    "change, words",
    [
        ({"carrier": "ZZ"}, "not a known value"),
        ({"hour": "soon"}, "is not a number"),
        ({"distance": None}, "a value is required"),
        ({"temp": [1, 2]}, "must be a number"),
    ],
)
def test_tampered_prediction_inputs_get_a_message(client, app_context, change, words):
    response = _predict(client, {**app_context.service.defaults(), **change})
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert words in json.dumps(body[ids.PREDICT_MESSAGE])
    assert body[ids.PREDICT_RESULT]["children"] is None


def test_out_of_range_input_is_flagged_not_refused(client, app_context):
    response = _predict(client, {**app_context.service.defaults(), "hour": 30})
    body = response.get_json()["response"]
    assert "outside the training range" in json.dumps(body[ids.PREDICT_MESSAGE])
    assert body[ids.PREDICT_RESULT]["children"] is not None


def test_threshold_tampering_is_refused(client):
    output = find_output(
        client, f"..{ids.CONFUSION_CHART}.figure...{ids.CONFUSION_SUMMARY}.children.."
    )
    ok = post_callback(
        client,
        output,
        [{"id": ids.THRESHOLD, "property": "value", "value": 0.3}],
        [f"{ids.THRESHOLD}.value"],
    )
    assert "precision" in json.dumps(ok.get_json()["response"])
    bad = post_callback(
        client,
        output,
        [{"id": ids.THRESHOLD, "property": "value", "value": "x"}],
        [f"{ids.THRESHOLD}.value"],
    )
    assert bad.status_code == 200
    assert "between 0 and 1" in json.dumps(bad.get_json()["response"])


def _typed_threshold(client, value):
    output = find_output(client, f"..{ids.THRESHOLD}.value...")
    inputs = [
        {"id": ids.THRESHOLD, "property": "value", "value": 0.3},
        {"id": ids.THRESHOLD_INPUT, "property": "value", "value": value},
    ]
    response = post_callback(client, output, inputs, [f"{ids.THRESHOLD_INPUT}.value"])
    assert response.status_code == 200
    return response.get_json()["response"]


def test_a_typed_threshold_moves_the_slider_and_a_bad_one_clears_the_matrix(client):
    moved = _typed_threshold(client, 0.42)
    assert moved[ids.THRESHOLD]["value"] == 0.42 and ids.CONFUSION_CHART not in moved
    for bad in (None, "x", 7, "1e999"):
        cleared = json.dumps(_typed_threshold(client, bad))
        assert "between 0 and 1" in cleared and "Type a threshold" in cleared
        assert '"type": "heatmap"' not in cleared


def test_unknown_page_is_friendly(client):
    response = render_page(client, "/nope")
    assert "No page at" in json.dumps(response.get_json()["response"])


def _decode(values):
    """Plotly may send arrays as base64 typed arrays; return a plain list."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        return np.frombuffer(
            base64.b64decode(values["bdata"]), dtype=values["dtype"]
        ).tolist()
    return list(values)


def _cross_filter(client, app_context, trigger: str, click):
    output = find_output(client, f"{ids.RANGE_FILTER}")
    ranges = [
        {"id": {"column": c, "type": ids.RANGE_FILTER}, "property": "value"}
        for c in app_context.spec.range_filters
    ]
    inputs = [
        {"id": ids.RESET_FILTERS, "property": "n_clicks", "value": None},
        {
            "id": ids.CATEGORY_CHART,
            "property": "clickData",
            "value": click if trigger == ids.CATEGORY_CHART else None,
        },
        {
            "id": ids.MAP_CHART,
            "property": "clickData",
            "value": click if trigger == ids.MAP_CHART else None,
        },
    ]
    state = [
        pattern_inputs(
            ids.CATEGORY_FILTER, {c: None for c in app_context.spec.category_filters}
        )
    ]
    payload_outputs = [
        [
            {"id": {"column": c, "type": ids.CATEGORY_FILTER}, "property": "value"}
            for c in app_context.spec.category_filters
        ],
        ranges,
        {"id": ids.DATE_RANGE, "property": "start_date"},
        {"id": ids.DATE_RANGE, "property": "end_date"},
    ]
    if app_context.dataset.missing_count:  # Reset turns the missing-values switch on
        payload_outputs.append({"id": ids.MISSING_FILTER, "property": "value"})
    payload = {
        "output": output,
        "outputs": payload_outputs,
        "inputs": inputs,
        "changedPropIds": [f"{trigger}.clickData"],
        "state": state,
    }
    return client.post("/_dash-update-component", json=payload)


def test_bar_click_sets_the_airline_filter(client, app_context):
    response = _cross_filter(
        client, app_context, ids.CATEGORY_CHART, {"points": [{"x": "UA", "y": 0.2}]}
    )
    assert response.status_code == 200, response.data[:300]
    values = response.get_json()["response"]
    carrier = '{"column":"carrier","type":"overview-category-filter"}'
    assert values[carrier]["value"] == ["UA"]


def test_map_click_on_an_origin_sets_the_origin_filter(client, app_context):
    response = _cross_filter(
        client,
        app_context,
        ids.MAP_CHART,
        {"points": [{"curveNumber": 2, "text": "JFK"}]},
    )
    assert response.status_code == 200, response.data[:300]
    origin = '{"column":"origin","type":"overview-category-filter"}'
    assert response.get_json()["response"][origin]["value"] == ["JFK"]


@pytest.mark.parametrize(
    "click", [{"points": [{"x": "ZZ"}]}, {"points": "nope"}, {"x": 1}]
)
def test_tampered_clicks_change_nothing(client, app_context, click):
    response = _cross_filter(client, app_context, ids.CATEGORY_CHART, click)
    assert response.status_code == 204


def _export(client, ctx, **filters):
    output = find_output(client, f"{ids.ROUTES_DOWNLOAD}.data")
    return post_callback(
        client,
        output,
        [{"id": ids.ROUTES_EXPORT, "property": "n_clicks", "value": 1}],
        [f"{ids.ROUTES_EXPORT}.n_clicks"],
        state=overview_inputs(ctx, **filters),
    )


def test_export_sends_the_routes_of_the_filters_as_they_stand(
    client, app_context, frame
):
    response = _export(client, app_context, categories={"carrier": ["UA"]})
    assert response.status_code == 200, response.data[:300]
    sent = response.get_json()["response"][ids.ROUTES_DOWNLOAD]["data"]
    assert sent["filename"] == "top_routes.csv"
    lines = sent["content"].splitlines()
    assert (
        lines[0]
        == "Origin airport,Destination airport,Flights,Delayed 15+ min,Mean departure delay"
    )
    busiest = frame[frame["carrier"] == "UA"].groupby(["origin", "dest"]).size().max()
    assert lines[1].split(",")[2] == str(busiest)
    assert 1 < len(lines) <= 51


def test_export_with_tampered_filters_sends_nothing(client, app_context):
    response = _export(client, app_context, categories={"carrier": ["ZZ"]})
    assert response.status_code == 200
    answer = response.get_json()["response"]
    assert ids.ROUTES_DOWNLOAD not in answer
    assert "Not exported" in json.dumps(answer)


def test_what_if_scoring_uses_one_openmp_thread_on_any_thread(app_context):
    """The dev server answers each request on a new thread, where a global cap is lost."""
    import threading

    from threadpoolctl import threadpool_info

    seen = {}

    def score():
        with app_context.service.scoring_threads():
            seen["inside"] = {
                p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"
            }

    worker = threading.Thread(target=score)
    worker.start()
    worker.join()
    assert seen["inside"] == {1}


def test_filter_change_writes_a_shareable_link(client, app_context):
    response = _refresh(
        client, app_context, categories={"carrier": ["UA"]}, ranges={"hour": [8, 18]}
    )
    assert response[ids.SHARE_URL]["search"] == "?carrier=UA&hour=8~18"


def test_shared_link_opens_with_its_filters(client):
    page = json.dumps(
        render_page(client, "/", "?carrier=UA&origin=JFK").get_json()["response"]
    )
    assert '"value": ["UA"]' in page and '"value": ["JFK"]' in page
    bad = json.dumps(render_page(client, "/", "?carrier=ZZ").get_json()["response"])
    assert "This link's filters were not applied" in bad


def test_responses_are_compressed(client):
    response = client.get("/", headers={"Accept-Encoding": "br"})
    assert response.headers.get("Content-Encoding") == "br"
