"""The JSON API through the Flask test client: answers, keys and roles, limits, retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app import create_app
from data.api_keys import ApiKeyStore
from data.tables import idempotency_keys, predictions
from model.service import PredictionNotLogged

PREDICT = "/api/v1/predict"
ERROR_KEYS = {"error", "code", "message", "field", "request_id"}


@pytest.fixture(scope="module")
def keys(app_context) -> Iterator[dict[str, str]]:
    """One API key per test user (viewer vic, analyst ana, admin ada), revoked after."""
    store = ApiKeyStore(app_context.database)
    made = {name: store.create(name, "api tests") for name in ("vic", "ana", "ada")}
    yield {name: key for name, (_, key) in made.items()}
    for listed, _ in made.values():
        if store.get(listed.id).active:
            store.revoke(listed.id)


def _app(small_settings, app_context, **changes):
    return create_app(small_settings.with_overrides(**changes), context=app_context)


@pytest.fixture()
def api(dash_app):
    return dash_app.server.test_client()


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def rows(app_context, n: int = 3) -> list[dict]:
    """`n` different valid records: the defaults with the hour moved."""
    base = app_context.service.defaults()
    return [{**base, "hour": float(6 + i)} for i in range(n)]


def logged(app_context, request_ids) -> list[dict]:
    query = sa.select(predictions).where(predictions.c.request_id.in_(request_ids))
    with app_context.database.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]


def assert_error(response, status: int, code: str, field=None):
    body = response.get_json()
    assert response.status_code == status, body
    assert ERROR_KEYS <= set(body) and body["code"] == code
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.get_data(as_text=True)
    if field is not None:
        assert body["field"] == field
    return body


def test_one_record_is_answered_as_the_model_service_answers_and_logged(
    api, keys, app_context
):
    record = rows(app_context, 1)[0]
    response = api.post(PREDICT, json=record, headers=bearer(keys["ana"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    expected = app_context.service.predict(record)
    (answer,) = body["predictions"]
    assert body["model_version"] == expected.version
    assert answer["value"] == pytest.approx(expected.value)
    assert answer["label"] == expected.label == answer["band"]
    (row,) = logged(app_context, [answer["request_id"]])
    assert row["source"] == "api" and row["user"] == "ana"


def test_a_list_is_answered_in_order_each_record_logged(api, keys, app_context):
    records = rows(app_context, 4)
    response = api.post(PREDICT, json=records, headers=bearer(keys["ada"]))
    assert response.status_code == 200, response.get_json()
    answers = response.get_json()["predictions"]
    for record, answer in zip(records, answers, strict=True):
        expected = app_context.service.predict(record)
        assert answer["value"] == pytest.approx(expected.value)
        assert answer["label"] == expected.label
    ids = [a["request_id"] for a in answers]
    assert len(set(ids)) == 4 and len(logged(app_context, ids)) == 4


def test_the_model_card_summary_needs_only_a_viewer(api, keys, app_context):
    response = api.get("/api/v1/model", headers=bearer(keys["vic"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == app_context.service.version
    columns = [f["column"] for f in body["features"]]
    assert columns == app_context.service.columns
    assert body["max_records"] == 1000


@pytest.mark.parametrize(
    "headers", [{}, bearer("fdk_" + "x" * 43), {"Authorization": "Basic abc"}]
)
def test_no_key_or_a_wrong_key_is_401(api, headers, app_context):
    response = api.post(PREDICT, json=rows(app_context, 1)[0], headers=headers)
    assert_error(response, 401, "unauthorized")
    assert_error(api.get("/api/v1/model", headers=headers), 401, "unauthorized")


def test_a_revoked_key_is_refused_at_once(dash_app, app_context):
    store = app_context.api_keys
    listed, key = store.create("ana", "short-lived")
    api = dash_app.server.test_client()
    assert api.get("/api/v1/model", headers=bearer(key)).status_code == 200
    store.revoke(listed.id)
    assert_error(api.get("/api/v1/model", headers=bearer(key)), 401, "unauthorized")


def test_a_viewer_cannot_predict(api, keys, app_context):
    response = api.post(PREDICT, json=rows(app_context, 1), headers=bearer(keys["vic"]))
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("mode", ["off", "local"])
def test_open_pages_still_need_a_key_for_the_api(
    small_settings, app_context, keys, mode
):
    api = _app(small_settings, app_context, auth=mode).server.test_client()
    assert api.get("/").status_code == 200  # the pages are open
    assert_error(api.get("/api/v1/model"), 401, "unauthorized")
    assert api.get("/api/v1/model", headers=bearer(keys["vic"])).status_code == 200


def test_the_contract_and_docs_are_public_and_offline(api):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/predict", "/api/v1/model"} <= set(spec["paths"])
    assert "ErrorBody" in str(spec["components"]["schemas"])
    page = api.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/assets/api-docs/swagger-ui-bundle.js" in html and "http" not in html
    assert api.get("/assets/api-docs/swagger-ui-init.js").status_code == 200


def test_the_docs_bundle_is_not_loaded_on_the_pages(client):
    html = client.get("/").get_data(as_text=True)
    assert "swagger-ui" not in html


def test_invalid_records_are_refused_whole_naming_each_field(api, keys, app_context):
    records = rows(app_context, 4)
    records[1]["hour"] = "soon"
    records[3]["carrier"] = "ZZ"
    before = app_context.log.count("api")
    response = api.post(PREDICT, json=records, headers=bearer(keys["ana"]))
    body = assert_error(response, 400, "invalid_input")
    fields = {p["field"] for p in body["problems"]}
    assert {"records[1].hour", "records[3].carrier"} <= fields
    assert app_context.log.count("api") == before


def test_an_unknown_field_or_missing_one_is_400_with_the_field(api, keys, app_context):
    record = {**rows(app_context, 1)[0], "colour": "red"}
    response = api.post(PREDICT, json=record, headers=bearer(keys["ana"]))
    assert_error(response, 400, "invalid_input", field="colour")
    record = rows(app_context, 1)[0]
    del record["carrier"]
    response = api.post(PREDICT, json=[record], headers=bearer(keys["ana"]))
    assert_error(response, 400, "invalid_input", field="records[0].carrier")


def test_not_json_is_415_and_too_many_records_413(api, keys, app_context):
    response = api.post(PREDICT, data="hour=6", headers=bearer(keys["ana"]))
    assert_error(response, 415, "unsupported_media_type")
    many = rows(app_context, 1) * 1001
    response = api.post(PREDICT, json=many, headers=bearer(keys["ana"]))
    assert_error(response, 413, "too_large", field="records")


def test_a_body_that_is_not_json_at_all_is_400(api, keys):
    headers = {**bearer(keys["ana"]), "Content-Type": "application/json"}
    response = api.post(PREDICT, data="{not json", headers=headers)
    assert_error(response, 400, "invalid_input", field="body")
    deep = "[" * 100_000 + "]" * 100_000
    response = api.post(PREDICT, data=deep, headers=headers)
    assert response.status_code in (400, 413)
    assert response.get_json()["code"] in ("invalid_input", "too_large")


def test_a_body_past_the_size_cap_is_413(small_settings, app_context, keys):
    api = _app(small_settings, app_context, max_request_kb=1).server.test_client()
    response = api.post(
        PREDICT, json=rows(app_context, 30), headers=bearer(keys["ana"])
    )
    assert_error(response, 413, "too_large")


def test_the_rate_limit_is_per_key_and_answers_429_in_our_shape(
    small_settings, app_context, keys
):
    api = _app(small_settings, app_context, api_limit="2 per minute").server
    client = api.test_client()
    for _ in range(2):
        assert (
            client.get("/api/v1/model", headers=bearer(keys["vic"])).status_code == 200
        )
    response = client.get("/api/v1/model", headers=bearer(keys["vic"]))
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/api/v1/model", headers=bearer(keys["ana"])).status_code == 200


def test_the_same_idempotency_key_gets_the_same_answer_logged_once(
    api, keys, app_context
):
    records = rows(app_context, 2)
    headers = {**bearer(keys["ana"]), "Idempotency-Key": "job-42"}
    first = api.post(PREDICT, json=records, headers=headers)
    second = api.post(PREDICT, json=records, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    ids = [p["request_id"] for p in first.get_json()["predictions"]]
    rows_logged = logged(app_context, ids)
    assert len(rows_logged) == 2
    assert {r["idempotency_key"] for r in rows_logged} == {"job-42"}
    other = api.post(PREDICT, json=records[:1], headers=headers)
    assert_error(other, 422, "idempotency_key_reused", field="Idempotency-Key")


def test_a_key_claimed_meanwhile_returns_the_first_answer(api, keys, app_context):
    """The race: the claim row appears between the look-up and the write."""
    records = rows(app_context, 1)
    headers = {**bearer(keys["ada"]), "Idempotency-Key": "race-1"}
    first = api.post(PREDICT, json=records, headers=headers).get_json()
    with app_context.database.engine.begin() as connection:
        stored = connection.execute(
            sa.select(idempotency_keys).where(idempotency_keys.c.key == "race-1")
        ).one()
    from server import idempotency

    calls = []
    original = idempotency.find

    def miss_once(database, user, key):
        calls.append(key)
        return None if len(calls) == 1 else original(database, user, key)

    before = app_context.log.count("api")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(idempotency, "find", miss_once)
        again = api.post(PREDICT, json=records, headers=headers)
    assert again.status_code == 200 and again.get_json() == first
    assert app_context.log.count("api") == before
    assert stored.status == 200
    assert app_context.service.version == app_context.models.serving.service.version
    assert not app_context.models.serving.degraded


def test_503_when_the_database_takes_no_writes(api, keys, app_context, monkeypatch):
    monkeypatch.setattr(app_context.database, "write_problem", lambda: "read-only")
    response = api.post(PREDICT, json=rows(app_context, 1), headers=bearer(keys["ana"]))
    assert_error(response, 503, "not_ready")


def test_503_when_the_log_refuses_the_write(api, keys, app_context, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PredictionNotLogged("database is locked")

    monkeypatch.setattr(app_context.models, "predict_many", refuse)
    response = api.post(PREDICT, json=rows(app_context, 1), headers=bearer(keys["ana"]))
    assert_error(response, 503, "not_ready")


def test_503_when_the_database_stops_answering_mid_request(
    api, keys, app_context, monkeypatch
):
    from server import idempotency

    def gone(*_args):
        raise sa.exc.OperationalError("SELECT", {}, Exception("unable to open"))

    monkeypatch.setattr(idempotency, "find", gone)
    headers = {**bearer(keys["ana"]), "Idempotency-Key": "gone-1"}
    response = api.post(PREDICT, json=rows(app_context, 1), headers=headers)
    assert_error(response, 503, "not_ready")


def test_a_busy_database_is_not_refused_early(api, keys, app_context, monkeypatch):
    """Under load the probe finds the write lock held for a moment: that is not a 503."""
    monkeypatch.setattr(
        app_context.database, "write_problem", lambda: "database is locked"
    )
    response = api.post(PREDICT, json=rows(app_context, 1), headers=bearer(keys["ana"]))
    assert response.status_code == 200, response.get_json()
