"""The Account page's API keys through real callback requests: yours only, shown once."""

from __future__ import annotations

import json

import pytest

from app import create_app
from components import ids
from data.api_keys import ApiKeyStore
from tests.integration.dash_requests import post_callback, render_page, sign_in

REVOKE_INPUT = {"type": ids.ACCOUNT_REVOKE, "column": "ALL"}


@pytest.fixture()
def keys(app_context):
    """The key store of the shared test database; every key made is revoked afterwards."""
    store = ApiKeyStore(app_context.database, cache_s=0.0)
    yield store
    for key in store.list():
        if key.active:
            store.revoke(key.id)


def _output(client, kind: str) -> str:
    """The create callback's output ('create'), or the revoke one's ('revoke')."""
    for dep in client.get("/_dash-dependencies").get_json():
        if f"{ids.ACCOUNT_KEYS}.children" in dep["output"]:
            revoke = any(i["id"].startswith("{") for i in dep["inputs"])
            if revoke == (kind == "revoke"):
                return dep["output"]
    raise LookupError(kind)


def create(client, name):
    response = post_callback(
        client,
        _output(client, "create"),
        [
            {"id": ids.ACCOUNT_KEY_CREATE, "property": "n_clicks", "value": 1},
            {"id": ids.ACCOUNT_KEY_NAME, "property": "n_submit", "value": None},
        ],
        [f"{ids.ACCOUNT_KEY_CREATE}.n_clicks"],
        [{"id": ids.ACCOUNT_KEY_NAME, "property": "value", "value": name}],
    )
    return response.status_code, response.get_json()


def revoke(client, key_id):
    button = {"column": str(key_id), "type": ids.ACCOUNT_REVOKE}
    response = post_callback(
        client,
        _output(client, "revoke"),
        [[{"id": button, "property": "n_clicks", "value": 1}]],
        [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
    )
    return response.status_code, response.get_json()


def _text(answer) -> str:
    return json.dumps(answer)


def new_key(answer) -> str:
    return answer["response"][ids.ACCOUNT_NEW_KEY_TEXT]["children"]


def test_a_viewer_creates_a_key_that_authenticates_and_is_shown_once(dash_app, keys):
    client = sign_in(dash_app.server.test_client(), "vic")
    status, answer = create(client, "nightly job")
    assert status == 200
    key = new_key(answer)
    assert answer["response"][ids.ACCOUNT_NEW_KEY]["is_open"] is True
    assert keys.authenticate(key).name == "vic"
    [listed] = [k for k in keys.list("vic") if k.active]
    assert listed.name == "nightly job"
    table = _text(answer["response"][ids.ACCOUNT_KEYS])
    assert "nightly job" in table and listed.prefix in table and key not in table

    page = _text(render_page(client, "/account").get_json())
    assert "nightly job" in page and listed.prefix in page and key not in page
    assert "Bearer" in page and "/api/v1/docs" in page


def test_revoking_your_own_key_stops_it(dash_app, keys):
    client = sign_in(dash_app.server.test_client(), "ana")
    key = new_key(create(client, "to revoke")[1])
    [listed] = [k for k in keys.list("ana") if k.active]
    status, answer = revoke(client, listed.id)
    assert status == 200
    assert "Revoked the key 'to revoke'" in _text(answer)
    assert answer["response"][ids.ACCOUNT_NEW_KEY]["is_open"] is False
    assert keys.authenticate(key) is None
    assert not keys.get(listed.id).active


def test_a_key_revoked_on_the_page_stops_on_the_api_at_once(dash_app, keys):
    client = sign_in(dash_app.server.test_client(), "ana")
    key = new_key(create(client, "used then revoked")[1])
    api = dash_app.server.test_client()
    bearer = {"Authorization": f"Bearer {key}"}
    assert api.get("/api/v1/model", headers=bearer).status_code == 200  # now cached
    [listed] = [k for k in keys.list("ana") if k.active]
    assert revoke(client, listed.id)[0] == 200
    assert api.get("/api/v1/model", headers=bearer).status_code == 401


def test_a_forged_revoke_of_another_users_key_is_refused(dash_app, keys):
    listed, key = keys.create("ana", "ana's job")
    client = sign_in(dash_app.server.test_client(), "vic")
    status, answer = revoke(client, listed.id)
    assert status == 200
    assert "not one of your active keys" in _text(answer)
    assert "ana's job" not in _text(answer)  # vic's table shows vic's keys only
    assert keys.authenticate(key).name == "ana" and keys.get(listed.id).active


@pytest.mark.parametrize(
    "name, words",
    [
        ("", "Name the key"),
        ("   ", "Name the key"),
        (None, "Name the key"),
        ("x" * 65, "1-64 printable"),
        (["a"], "Name the key"),
    ],
)
def test_a_bad_name_is_refused_in_words(dash_app, keys, name, words):
    client = sign_in(dash_app.server.test_client(), "vic")
    status, answer = create(client, name)
    assert status == 200 and words in _text(answer)
    assert answer["response"][ids.ACCOUNT_NEW_KEY]["is_open"] is False
    assert not any(k.active for k in keys.list("vic"))


@pytest.mark.parametrize(
    "shape, status",
    [
        (lambda key_id: {"column": [str(key_id)], "type": ids.ACCOUNT_REVOKE}, 200),
        (lambda key_id: {"column": f"{key_id}e400", "type": ids.ACCOUNT_REVOKE}, 200),
        (lambda key_id: {"column": f" {key_id}", "type": ids.ACCOUNT_REVOKE}, 200),
        # ids no callback declares: the door refuses them before Dash
        (
            lambda key_id: {"column": str(key_id), "type": ids.ACCOUNT_REVOKE, "x": 1},
            400,
        ),
        (lambda key_id: {"column": str(key_id), "type": ids.ACCOUNT_KEYS}, 400),
    ],
)
def test_a_malformed_revoke_id_is_refused(dash_app, keys, shape, status):
    listed, key = keys.create("vic", "kept")
    button = shape(listed.id)
    client = sign_in(dash_app.server.test_client(), "vic")
    response = post_callback(
        client,
        _output(client, "revoke"),
        [[{"id": button, "property": "n_clicks", "value": 1}]],
        [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
    )
    assert response.status_code == status
    if status == 200:
        assert "not one of your active keys" in _text(response.get_json())
    assert keys.authenticate(key).name == "vic"


def test_open_mode_refuses_keys_and_says_why(small_settings, app_context, keys):
    app = create_app(small_settings.with_overrides(auth="off"), context=app_context)
    client = app.server.test_client()
    status, answer = create(client, "job")
    assert status == 200 and "signed-in user" in _text(answer)
    assert answer["response"][ids.ACCOUNT_NEW_KEY]["is_open"] is False
    assert not any(k.active for k in keys.list())
    page = _text(render_page(client, "/account").get_json())
    assert "signed-in user" in page and "python -m server.users add" in page
    assert '"disabled": true' in page


def test_signed_out_requests_never_reach_the_callbacks(dash_app, keys):
    client = dash_app.server.test_client()
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert not any(k.active for k in keys.list())
