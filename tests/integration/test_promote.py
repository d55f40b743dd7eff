"""Promote and roll back through the CLI, as a team would, while an app is serving."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from app import build_context, create_app
from components import ids
from data.ingest import processed_path, read_processed
from tests.conftest import add_test_users
from tests.integration.cli import module_runner
from tests.integration.dash_requests import (
    find_output,
    pattern_inputs,
    post_callback,
    sign_in,
)


def _quiet(_message: str) -> None:
    pass


@pytest.fixture()
def cli(two_version_home):
    return module_runner("model.registry", two_version_home[0].home)


def test_promote_rollback_and_challenger_are_recorded(two_version_home, cli):
    _, registry, old, new = two_version_home
    result = cli("promote", old, "--note", "holdout AUC better", "--by", "ada")
    assert result.returncode == 0 and f"champion: {new} -> {old}" in result.stdout
    assert registry.resolve("champion") == old
    assert cli("rollback", "--by", "ada").returncode == 0
    assert registry.resolve("champion") == new
    assert cli("set-challenger", "none").returncode == 0
    assert "challenger" not in registry.aliases()
    moves = registry.alias_store.history(3)
    assert [m.action for m in moves] == ["set", "rollback", "set"]
    assert (moves[2].user, moves[2].note) == ("ada", "holdout AUC better")
    listing = cli("list").stdout
    assert f"{new}" in listing and "[champion (set by ada" in listing
    assert "rollback" in listing


def test_refusals_are_one_line_and_change_nothing(two_version_home, cli):
    _, registry, _, new = two_version_home
    result = cli("promote", "v-nope")
    assert result.returncode == 1 and "no model version 'v-nope'" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli("rollback")  # only one champion was ever set in this database
    assert result.returncode == 1 and "no earlier champion" in result.stderr
    assert registry.resolve("champion") == new
    assert len(registry.alias_store.history()) == 2  # the fixture's two moves only
    assert cli("frobnicate").returncode == 2


def test_a_running_app_serves_a_promote_within_two_seconds(two_version_home, cli):
    settings, registry, old, new = two_version_home
    settings = settings.with_overrides(alias_poll_s=0.5)
    ctx = build_context(settings, progress=_quiet)
    add_test_users(ctx.users)
    client = sign_in(create_app(settings, context=ctx).server.test_client(), "ana")
    assert client.get("/readyz").get_json()["model_version"] == new
    assert cli("promote", old).returncode == 0
    deadline, seen = time.monotonic() + 2.0, None
    while time.monotonic() < deadline and seen != old:
        seen = client.get("/readyz").get_json()["model_version"]
        time.sleep(0.1)
    assert seen == old
    answer = ctx.service.predict(ctx.service.defaults(), user="ana")
    assert answer.version == old == ctx.log.recent(1)[0]["model_version"]


@pytest.fixture()
def served(two_version_home):
    settings, registry, old, new = two_version_home
    ctx = build_context(settings.with_overrides(alias_poll_s=0.0), progress=_quiet)
    add_test_users(ctx.users)
    app = create_app(ctx.settings, context=ctx)
    return ctx, app, registry, old, new


def _ask(client, version, button=ids.MAKE_CHAMPION):
    output = find_output(client, f"{ids.ALIAS_CONFIRM}.is_open")
    return post_callback(
        client,
        output,
        [
            {"id": b, "property": "n_clicks", "value": 1 if b == button else None}
            for b in (
                ids.MAKE_CHAMPION,
                ids.MAKE_CHALLENGER,
                ids.ROLLBACK,
                ids.ALIAS_CONFIRM_CANCEL,
            )
        ],
        [f"{button}.n_clicks"],
        [{"id": ids.VERSION_PICK, "property": "value", "value": version}],
    )


def _confirm(client, pending, note="from the page"):
    output = find_output(client, f"{ids.VERSIONS_TABLE}.children")
    return post_callback(
        client,
        output,
        [{"id": ids.ALIAS_CONFIRM_OK, "property": "n_clicks", "value": 1}],
        [f"{ids.ALIAS_CONFIRM_OK}.n_clicks"],
        [
            {"id": ids.ALIAS_PENDING, "property": "data", "value": pending},
            {"id": ids.ALIAS_NOTE, "property": "value", "value": note},
        ],
    )


def test_an_admin_promotes_from_the_page_with_a_confirmation(served):
    ctx, app, registry, old, new = served
    admin = sign_in(app.server.test_client(), "ada")
    asked = _ask(admin, old).get_json()["response"]
    assert asked[ids.ALIAS_CONFIRM]["is_open"] is True
    assert asked[ids.ALIAS_CONFIRM_TEXT]["children"] == f"Make {old} the champion?"
    pending = asked[ids.ALIAS_PENDING]["data"]
    assert registry.resolve("champion") == new  # nothing moves before the confirmation
    done = _confirm(admin, pending).get_json()["response"]
    assert (
        old in json.dumps(done[ids.ALIAS_MESSAGE])
        and done[ids.ALIAS_CONFIRM]["is_open"] is False
    )
    assert registry.resolve("champion") == old
    move = registry.alias_store.history(1)[0]
    assert (move.user, move.note, move.to_version) == ("ada", "from the page", old)
    answer = ctx.service.predict(
        ctx.service.defaults()
    )  # the next request: the new one
    assert answer.version == old == ctx.log.recent(1)[0]["model_version"]


@pytest.mark.parametrize("name", ["vic", "ana"])
def test_viewers_and_analysts_get_403_and_nothing_moves(served, name):
    ctx, app, registry, old, new = served
    client = sign_in(app.server.test_client(), name)
    assert _ask(client, old).status_code == 403
    forged = {"action": "champion", "version": old}
    response = _confirm(client, forged)
    assert (
        response.status_code == 403 and "admin role" in response.get_json()["message"]
    )
    assert (
        registry.resolve("champion") == new and len(registry.alias_store.history()) == 2
    )


@pytest.mark.parametrize(
    "pending, words",
    [
        ({"action": "champion", "version": "v-nope"}, "pick a version"),
        ({"action": "delete", "version": None}, "unknown action"),
        ({"action": "rollback", "version": None}, "no earlier champion"),
    ],
)
def test_a_tampered_confirmation_is_refused_in_words(served, pending, words):
    ctx, app, registry, old, new = served
    admin = sign_in(app.server.test_client(), "ada")
    body = _confirm(admin, pending).get_json()["response"]
    assert words in json.dumps(body[ids.ALIAS_MESSAGE])
    assert registry.resolve("champion") == new


def test_promoting_the_champion_again_is_a_message_not_a_move(served):
    ctx, app, registry, old, new = served
    admin = sign_in(app.server.test_client(), "ada")
    body = _ask(admin, new).get_json()["response"]
    assert "already the champion" in json.dumps(body[ids.ALIAS_MESSAGE])
    assert len(registry.alias_store.history()) == 2


def _predict_over_http(client, ctx, hour: float):
    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    values = {**ctx.service.defaults(), "hour": hour}
    changed = [f'{{"column":"hour","type":"{ids.PREDICT_INPUT}"}}.value']
    response = post_callback(
        client, output, [pattern_inputs(ids.PREDICT_INPUT, values)], changed
    )
    assert response.status_code == 200


def test_log_rows_name_who_answered_and_who_shadowed_across_a_promote(served):
    ctx, app, registry, old, new = served
    analyst = sign_in(app.server.test_client(), "ana")
    _predict_over_http(analyst, ctx, 7.0)
    registry.set_alias("champion", old, "ada")  # the old challenger wins
    registry.set_alias("challenger", new, "ada")
    _predict_over_http(analyst, ctx, 8.0)
    assert ctx.models.shadow.flush(10)
    before, after = reversed(ctx.log.recent(2))
    assert (before["model_version"], before["challenger_version"]) == (new, old)
    assert (after["model_version"], after["challenger_version"]) == (old, new)
    for row in (before, after):
        assert row["challenger_output"] is not None and row["fallback"] is None


def test_the_overview_scores_follow_a_promote(served, flights_spec):
    ctx, app, registry, old, new = served
    before = ctx.dataset.columns.score.copy()
    registry.set_alias("champion", old, "ada")
    assert ctx.service.version == old
    # The first read after the swap starts the rescoring, and still answers meanwhile.
    assert np.array_equal(ctx.dataset.columns.score, before)
    assert ctx.data.wait(old, timeout_s=30)
    after = ctx.dataset.columns.score
    frame, _ = read_processed(processed_path(ctx.settings, flights_spec), flights_spec)
    expected = ctx.service.predict_frame(frame)
    assert np.allclose(after, expected, atol=1e-6)
    assert not np.allclose(before, after)
