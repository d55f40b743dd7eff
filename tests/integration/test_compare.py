"""Comparing two versions over HTTP: a viewer may, and every pick is checked on the server."""

from __future__ import annotations

import json

import pytest

from app import build_context, create_app
from components import ids
from model.compare_versions import compare_versions
from tests.conftest import add_test_users
from tests.integration.dash_requests import (
    find_output,
    post_callback,
    render_page,
    sign_in,
)


@pytest.fixture()
def served(two_version_home):
    settings, registry, old, new = two_version_home
    ctx = build_context(
        settings.with_overrides(alias_poll_s=0.0), progress=lambda _: None
    )
    add_test_users(ctx.users)
    app = create_app(ctx.settings, context=ctx)
    return app, registry, old, new


def _compare(client, pick_a, pick_b):
    return post_callback(
        client,
        f"{ids.COMPARE_VIEW}.children",
        [
            {"id": ids.COMPARE_A, "property": "value", "value": pick_a},
            {"id": ids.COMPARE_B, "property": "value", "value": pick_b},
        ],
        [f"{ids.COMPARE_A}.value"],
    )


def _shown(response) -> str:
    assert response.status_code == 200, response.data[:300]
    return json.dumps(
        response.get_json()["response"][ids.COMPARE_VIEW], ensure_ascii=False
    )


def test_the_model_page_picks_the_champion_and_challenger(served):
    app, _, old, new = served
    viewer = sign_in(app.server.test_client(), "vic")
    page = render_page(viewer, "/model").get_json()["response"]
    found = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") in (ids.COMPARE_A, ids.COMPARE_B):
                found[props["id"]] = props.get("value")
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(page)
    assert found == {ids.COMPARE_A: new, ids.COMPARE_B: old}


@pytest.mark.parametrize("name", ["vic", "ana", "ada"])
def test_every_role_compares_two_versions(served, name):
    app, _, old, new = served
    client = sign_in(app.server.test_client(), name)
    shown = _shown(_compare(client, new, old))
    assert "B − A" in shown and "What changed from A to B" in shown
    assert shown.count('"type": "Graph"') == 2
    assert "ROC on the holdout" in shown and "Calibration on the holdout" in shown
    assert f"A {new}" in shown and f"B {old}" in shown


@pytest.mark.parametrize(
    "pick_a, words",
    [
        ("same", "pick two different versions"),
        ("../../etc", "no version '../../etc'"),
        ("../../etc/passwd", "no version"),
        (7, "no version '7'"),
        (None, "Pick a version for A"),
        (["v1"], "no version"),
        ({"id": "x"}, "no version"),
    ],
)
def test_bad_picks_are_a_message_never_a_traceback(served, pick_a, words):
    app, _, old, new = served
    client = sign_in(app.server.test_client(), "vic")
    response = _compare(client, old if pick_a == "same" else pick_a, old)
    shown = _shown(response)
    assert words in shown and "Traceback" not in shown


def test_what_changed_is_what_the_cards_record(served):
    app, registry, old, new = served
    expected = compare_versions(registry.card(new), registry.card(old)).changes
    shown = _shown(_compare(sign_in(app.server.test_client(), "vic"), new, old))
    for change in expected:
        assert change.item in shown and f": {change.a} → {change.b}" in shown
    assert expected or "Nothing recorded differs" in shown


def test_an_unreadable_card_is_a_message(served, two_version_home):
    app, registry, old, new = served
    (registry.root / old / "card.json").write_text("{not json", encoding="utf-8")
    client = sign_in(app.server.test_client(), "vic")
    shown = _shown(_compare(client, new, old))
    assert f"Cannot compare: model {old}: its card.json is not a card" in shown


def test_the_callback_is_the_one_the_page_declares(served):
    app, *_ = served
    client = sign_in(app.server.test_client(), "vic")
    assert find_output(client, ids.COMPARE_VIEW) == f"{ids.COMPARE_VIEW}.children"


def test_signed_out_requests_are_refused(served):
    app, _, old, new = served
    response = _compare(app.server.test_client(), new, old)
    assert response.status_code == 401
