"""/metrics: Prometheus text after real requests, guarded by a token or loopback."""

from __future__ import annotations

import pytest

from app import create_app
from data.api_keys import ApiKeyStore
from tests.integration.dash_requests import sign_in

TOKEN = "scrape-token-" + "x" * 20


@pytest.fixture(scope="module")
def analyst_key(app_context) -> str:
    return ApiKeyStore(app_context.database).create("ana", "metrics tests")[1]


def _app(small_settings, app_context, **changes):
    return create_app(small_settings.with_overrides(**changes), context=app_context)


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_show_as_latency_predictions_errors_and_the_version(
    small_settings, app_context, analyst_key
):
    client = _app(small_settings, app_context).server.test_client()
    key = {"Authorization": f"Bearer {analyst_key}"}
    record = app_context.service.defaults()
    assert client.post("/api/v1/predict", json=record, headers=key).status_code == 200
    assert client.get("/api/v1/model").status_code == 401
    text = scrape(client)
    version = app_context.service.version
    endpoint = 'endpoint="/api/v1/predict"'
    assert (
        f'flightdeck_request_seconds_count{{{endpoint},version="{version}"}} 1.0'
        in text
    )
    assert 'flightdeck_errors_total{code="unauthorized"} 1.0' in text
    assert (
        f'flightdeck_serving_version{{champion="{version}",version="{version}"}} 1.0'
        in text
    )
    logged = f'flightdeck_predictions_logged_total{{source="api",version="{version}"}}'
    assert logged in text


def test_callbacks_are_timed_by_their_output(small_settings, app_context):
    from components import ids
    from tests.integration.dash_requests import (
        find_output,
        pattern_inputs,
        post_callback,
    )

    client = sign_in(_app(small_settings, app_context).server.test_client(), "ana")
    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    inputs = [pattern_inputs(ids.PREDICT_INPUT, app_context.service.defaults())]
    changed = ['{"column":"hour","type":"predict-input"}.value']
    assert post_callback(client, output, inputs, changed).status_code == 200
    text = scrape(client)
    assert f'endpoint="dash:{output}"' in text


def test_a_token_is_required_when_set(small_settings, app_context):
    client = _app(small_settings, app_context, metrics_token=TOKEN).server.test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "unauthorized"
    assert "flightdeck_serving_version" in scrape(
        client, Authorization=f"Bearer {TOKEN}"
    )


def test_without_a_token_only_loopback_may_scrape(small_settings, app_context):
    client = _app(small_settings, app_context).server.test_client()
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403 and far.get_json()["code"] == "forbidden"
    assert (
        client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    )


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(
    small_settings, app_context
):
    """nginx on this machine forwards a far client: with FLIGHTDECK_TRUSTED_PROXIES=1 the
    app sees that client, so /metrics' loopback rule does not let it in through nginx."""
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    from_nginx = {"REMOTE_ADDR": "127.0.0.1"}
    trusting = _app(small_settings, app_context, trusted_proxies=1).server.test_client()
    far = trusting.get("/metrics", headers=forwarded, environ_base=from_nginx)
    assert far.status_code == 403
    assert trusting.get("/metrics", environ_base=from_nginx).status_code == 200
    # Without a proxy to trust, the header is anybody's word and is ignored.
    plain = _app(small_settings, app_context).server.test_client()
    assert (
        plain.get("/metrics", headers=forwarded, environ_base=from_nginx).status_code
        == 200
    )
    far_client = {"REMOTE_ADDR": "203.0.113.9"}
    claims_loopback = {"X-Forwarded-For": "127.0.0.1"}
    assert (
        plain.get(
            "/metrics", headers=claims_loopback, environ_base=far_client
        ).status_code
        == 403
    )


def test_two_apps_in_one_process_keep_their_own_counts(small_settings, app_context):
    first = _app(small_settings, app_context).server.test_client()
    second = _app(small_settings, app_context).server.test_client()
    first.get("/api/v1/model")
    assert 'code="unauthorized"' in scrape(first)
    assert 'code="unauthorized"' not in scrape(second)


def test_gunicorn_workers_add_up_in_one_scrape(small_settings, tmp_path_factory):
    """Two real gunicorn workers: a scrape from either counts every worker's requests
    (read from the multi-process files gunicorn.conf.py sets up, so none is missed)."""
    import requests

    from data.db import Database
    from tests.reliability.harness import Gunicorn, copy_home

    home = copy_home(small_settings.home, tmp_path_factory.mktemp("metrics-gunicorn"))
    key = ApiKeyStore(Database(f"sqlite:///{home / 'flightdeck.db'}")).create(
        "vic", "scraper test"
    )[1]
    server = Gunicorn(home, FLIGHTDECK_METRICS_TOKEN=TOKEN).start()
    try:
        server.wait_for_workers(2)
        for _ in range(12):
            response = requests.get(
                server.url + "/api/v1/model",
                headers={"Authorization": f"Bearer {key}", "Connection": "close"},
                timeout=10,
            )
            assert response.status_code == 200
        headers = {"Authorization": f"Bearer {TOKEN}"}
        text = requests.get(server.url + "/metrics", headers=headers, timeout=10).text
    finally:
        server.stop()
    assert 'flightdeck_request_seconds_count{endpoint="/api/v1/model"' in text
    line = next(
        row
        for row in text.splitlines()
        if row.startswith('flightdeck_request_seconds_count{endpoint="/api/v1/model"')
    )
    assert float(line.rsplit(" ", 1)[1]) == 12.0
    assert "flightdeck_serving_version" in text
