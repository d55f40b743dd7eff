"""Login, roles and sessions through real requests to the Flask server (test client)."""

from __future__ import annotations

import json
import re
import time

import pytest

from app import create_app
from components import ids
from tests.conftest import PASSWORD
from tests.integration.dash_requests import (
    csrf_token,
    find_output,
    pattern_inputs,
    post_callback,
    render_page,
    sign_in,
)

PREDICT_CHANGED = '{"column":"hour","type":"predict-input"}.value'


def _app(small_settings, app_context, **changes):
    return create_app(small_settings.with_overrides(**changes), context=app_context)


def _predict(client, app_context):
    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    inputs = [pattern_inputs(ids.PREDICT_INPUT, app_context.service.defaults())]
    return post_callback(client, output, inputs, [PREDICT_CHANGED])


@pytest.fixture()
def anonymous(dash_app):
    return dash_app.server.test_client()


@pytest.mark.parametrize("path", ["/", "/predict", "/model", "/anything?x=1"])
def test_pages_redirect_to_login_without_a_session(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/")


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/_dash-layout"),
        ("get", "/_dash-dependencies"),
        ("post", "/_dash-update-component"),
        ("get", "/_reload-hash"),
    ],
)
def test_dash_routes_answer_401_without_a_session(anonymous, method, path):
    response = getattr(anonymous, method)(path, json={} if method == "post" else None)
    assert response.status_code == 401
    assert response.get_json()["error"] == "Unauthorized"


@pytest.mark.parametrize("path", ["/login", "/healthz", "/readyz", "/_favicon.ico"])
def test_login_health_and_assets_are_open(anonymous, path):
    assert anonymous.get(path).status_code == 200
    assert anonymous.get("/assets/bootstrap.min.css").status_code == 200


def test_wrong_password_is_refused_and_says_so(anonymous):
    token = csrf_token(anonymous.get("/login").get_data(as_text=True))
    response = anonymous.post(
        "/login", data={"username": "ana", "password": "nope nope", "csrf_token": token}
    )
    assert response.status_code == 200  # the form again, saying why
    assert "Wrong user name or password" in response.get_data(as_text=True)
    assert anonymous.get("/_dash-layout").status_code == 401


def test_login_needs_the_form_token(anonymous):
    response = anonymous.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert anonymous.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize(
    "target, lands",
    [
        ("/predict?hour=5", "/predict?hour=5"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_goes_back_only_to_local_pages(anonymous, target, lands):
    token = csrf_token(anonymous.get("/login").get_data(as_text=True))
    response = anonymous.post(
        "/login",
        data={
            "username": "ana",
            "password": PASSWORD,
            "csrf_token": token,
            "next": target,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == lands


def test_session_cookie_flags(anonymous, small_settings, app_context):
    sign_in(anonymous, "ana")
    cookie = anonymous.get_cookie("flightdeck_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure and cookie.expires is not None
    tls = _app(small_settings, app_context, cookie_secure=True).server.test_client()
    token = csrf_token(tls.get("/login").get_data(as_text=True))
    response = tls.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}
    )
    set_cookie = response.headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie
    assert (
        "max-age=31536000" in tls.get("/healthz").headers["Strict-Transport-Security"]
    )


def test_viewer_cannot_predict_and_nothing_is_logged(dash_app, app_context):
    viewer = sign_in(dash_app.server.test_client(), "vic")
    before = app_context.log.count()
    response = _predict(viewer, app_context)
    assert response.status_code == 403
    assert "analyst role" in response.get_json()["message"]
    assert app_context.log.count() == before
    page = json.dumps(render_page(viewer, "/predict").get_json())
    assert ids.FORBIDDEN in page and ids.PREDICT_RESULT not in page
    layout = json.dumps(viewer.get("/_dash-layout").get_json())
    assert '"href": "/predict"' not in layout and '"href": "/model"' in layout


@pytest.mark.parametrize("name", ["ana", "ada"])
def test_analysts_and_admins_predict_and_the_log_names_them(
    dash_app, app_context, name
):
    client = sign_in(dash_app.server.test_client(), name)
    response = _predict(client, app_context)
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    row = app_context.log.recent(1)[0]
    assert row["user"] == name and row["request_id"] == request_id
    assert request_id in json.dumps(response.get_json())


def test_viewer_reads_the_overview_and_the_model_card(dash_app):
    viewer = sign_in(dash_app.server.test_client(), "vic")
    assert ids.KPI_ROW in json.dumps(render_page(viewer, "/").get_json())
    assert ids.THRESHOLD in json.dumps(render_page(viewer, "/model").get_json())


def _form_token(component) -> str | None:
    """The sign-out form's hidden csrf_token value, found in a Dash layout's JSON."""
    if isinstance(component, list):
        return next(filter(None, map(_form_token, component)), None)
    if not isinstance(component, dict):
        return None
    props = component.get("props", {})
    if props.get("name") == "csrf_token":
        return props["value"]
    return _form_token(props.get("children"))


def test_sign_out_ends_the_session(client):
    token = _form_token(client.get("/_dash-layout").get_json())
    assert client.post("/logout").status_code == 400  # the form's token is needed
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_sessions_expire(small_settings, app_context):
    app = _app(small_settings, app_context, session_hours=1 / 3600)  # one second
    client = sign_in(app.server.test_client(), "ana")
    assert client.get("/_dash-layout").status_code == 200
    time.sleep(2.5)  # cookie timestamps are whole seconds
    assert client.get("/_dash-layout").status_code == 401


def test_a_new_password_ends_other_sessions(dash_app, app_context):
    app_context.users.add("temp", "analyst", PASSWORD)
    try:
        client = sign_in(dash_app.server.test_client(), "temp")
        assert client.get("/_dash-layout").status_code == 200
        app_context.users.set_password("temp", "a different password")
        assert client.get("/_dash-layout").status_code == 401
    finally:
        app_context.users.remove("temp")


def test_a_role_change_applies_at_once(dash_app, app_context):
    app_context.users.add("mover", "analyst", PASSWORD)
    try:
        client = sign_in(dash_app.server.test_client(), "mover")
        assert _predict(client, app_context).status_code == 200
        app_context.users.set_role("mover", "viewer")
        assert _predict(client, app_context).status_code == 403
    finally:
        app_context.users.remove("mover")


def test_failed_logins_are_slowed_down(small_settings, app_context):
    app = _app(small_settings, app_context, login_limit="3 per minute")
    client = app.server.test_client()
    statuses = []
    for _ in range(5):
        token = csrf_token(client.get("/login").get_data(as_text=True))
        statuses.append(
            client.post(
                "/login",
                data={"username": "ana", "password": "wrong one!", "csrf_token": token},
            )
        )
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert int(statuses[-1].headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in statuses[-1].get_data(as_text=True)
    # Another user name from the same address is not locked out by ana's failures.
    other = app.server.test_client()
    assert sign_in(other, "vic").get("/_dash-layout").status_code == 200


@pytest.mark.parametrize("mode", ["local", "off"])
def test_open_modes_need_no_login_and_say_so(small_settings, app_context, mode):
    client = _app(small_settings, app_context, auth=mode).server.test_client()
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert ids.OPEN_BANNER in layout
    response = _predict(client, app_context)
    assert response.status_code == 200
    expected = {"local": "local", "off": "anonymous"}[mode]
    assert app_context.log.recent(1)[0]["user"] == expected
    assert client.get("/login").status_code == 302  # nothing to sign in to


def test_security_headers_on_every_kind_of_response(client, anonymous):
    for response in (
        anonymous.get("/login"),
        client.get("/"),
        client.get("/_dash-layout"),
        anonymous.get("/healthz"),
        anonymous.get("/nope.txt"),
    ):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert len(headers["X-Request-ID"]) == 32


# The API's contract and docs hold no data; /metrics checks its own token (loopback
# clients, as the test client is, may scrape without one: tests/integration/test_metrics.py).
PUBLIC = {
    "/login",
    "/healthz",
    "/readyz",
    "/_favicon.ico",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/metrics",
}
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")


def _concrete(rule) -> str:
    """A path that matches a URL rule, with a sample value for each variable."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", "x", path)
    return path


def test_every_route_but_login_assets_and_health_needs_a_session(dash_app, anonymous):
    checked = []
    for rule in dash_app.server.url_map.iter_rules():
        path = _concrete(rule)
        if (
            path in PUBLIC
            or path.startswith(PUBLIC_PREFIXES)
            or rule.endpoint == "static"
        ):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = anonymous.open(path, method=method, json={})
            refused = (302, 401) if path != "/logout" else (400,)  # no form token
            assert response.status_code in refused, (method, path)
            checked.append((method, path))
    assert ("POST", "/_dash-update-component") in checked
    assert ("GET", "/x") in checked and ("POST", "/logout") in checked
