"""Retraining behind the gate, as a scheduler runs it: `python -m model.train` exits 0 when
it promotes, 3 when the candidate stays challenger, 4 when another retrain runs."""

from __future__ import annotations

import dataclasses

import pytest
from itsdangerous import URLSafeTimedSerializer

from app import build_context, create_app
from callbacks.model_retrain import read_ticket
from components import ids
from config import DEFAULT_SPEC
from data.spec import load_spec
from model.retrain import champion_scores, retrain_lock
from model.train import fit_candidate
from tests.conftest import add_test_users
from tests.integration.cli import module_runner
from tests.integration.dash_requests import find_output, post_callback, sign_in


def _spec_with_gate(tmp_path, margin: float):
    text = DEFAULT_SPEC.read_text(encoding="utf-8")
    path = tmp_path / "flights-gated.toml"
    path.write_text(f"{text}\n[model.gate]\nmargin = {margin}\n", encoding="utf-8")
    return path


@pytest.fixture()
def train_cli(two_version_home):
    return module_runner("model.train", two_version_home[0].home, timeout=300)


def test_a_candidate_that_loses_becomes_the_challenger(
    two_version_home, train_cli, tmp_path
):
    settings, registry, old, new = two_version_home
    spec = _spec_with_gate(tmp_path, margin=1.0)  # an AUC gain no model can make
    result = train_cli("--spec", str(spec), "--max-iter", "5", "--by", "cron")
    assert result.returncode == 3, result.stderr
    candidate = registry.resolve("challenger")
    assert candidate not in (old, new) and registry.resolve("champion") == new
    assert "kept as challenger" in result.stdout
    assert "not better by more than the margin 1" in result.stdout
    assert "champion" in result.stdout and "candidate" in result.stdout  # side by side
    move = registry.alias_store.history(1)[0]
    assert (move.alias, move.user, move.to_version) == ("challenger", "cron", candidate)
    assert "margin" in move.note


def test_force_promotes_the_loser_and_records_it(two_version_home, train_cli, tmp_path):
    settings, registry, old, new = two_version_home
    spec = _spec_with_gate(tmp_path, margin=1.0)
    result = train_cli("--spec", str(spec), "--max-iter", "5", "--force")
    assert result.returncode == 0, result.stderr
    assert "promoted (forced)" in result.stdout
    move = registry.alias_store.history(1)[0]
    assert move.alias == "champion" and move.action == "forced"
    assert move.from_version == new and registry.resolve("champion") == move.to_version
    assert move.note.startswith("forced despite the gate")


def test_without_a_champion_the_candidate_is_promoted(two_version_home, train_cli):
    settings, registry, old, new = two_version_home
    registry.set_alias("champion", None, "ada")
    result = train_cli("--max-iter", "5")
    assert result.returncode == 0, result.stderr
    assert "there is no champion to beat" in result.stdout
    assert registry.resolve("champion") not in (None, old, new)


def test_one_retrain_at_a_time(two_version_home, train_cli, flights_spec):
    settings, registry, old, new = two_version_home
    with retrain_lock(settings, flights_spec, "ada"):
        result = train_cli("--max-iter", "5")
    assert result.returncode == 4
    assert "already running (by ada, pid" in result.stderr
    assert registry.versions() == sorted([old, new])  # nothing was trained


def test_the_champion_is_rescored_on_changed_data_to_its_own_figures(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    candidate = fit_candidate(
        settings, flights_spec, {"max_iter": 5}, progress=lambda _: None
    )
    dataset = candidate.card.dataset.model_copy(update={"fingerprint": "changed"})
    changed = dataclasses.replace(
        candidate, card=candidate.card.model_copy(update={"dataset": dataset})
    )
    said = []
    rescored = champion_scores(changed, new, flights_spec, said.append)
    assert any("scoring it on this holdout" in line for line in said)
    # Same rows in fact: scoring anew reproduces the champion's card.
    card = registry.card(new).metrics["model"].holdout
    assert rescored["auc"] == pytest.approx(card["auc"], abs=1e-9)
    assert rescored["brier"] == pytest.approx(card["brier"], abs=1e-9)


def test_a_bad_gate_in_the_spec_is_refused_in_words(train_cli, tmp_path):
    result = train_cli("--spec", str(_spec_with_gate(tmp_path, margin=-1)))
    assert result.returncode == 1
    assert "margin" in result.stderr and "Traceback" not in result.stderr


def test_the_gate_does_not_make_the_model_stale(tmp_path):
    plain = load_spec(DEFAULT_SPEC)
    gated = load_spec(_spec_with_gate(tmp_path, margin=0.01))
    assert gated.model.gate.margin == 0.01
    assert plain.fingerprint("model") == gated.fingerprint("model")


@pytest.fixture()
def retrain_app(two_version_home):
    settings = two_version_home[0]
    ctx = build_context(settings, progress=lambda _: None)
    add_test_users(ctx.users)
    return create_app(settings, context=ctx)


def _start(client, force=False):
    output = find_output(client, f"{ids.RETRAIN_TICKET}.data")
    return post_callback(
        client,
        output,
        [{"id": ids.RETRAIN_START, "property": "n_clicks", "value": 1}],
        [f"{ids.RETRAIN_START}.n_clicks"],
        [{"id": ids.RETRAIN_FORCE, "property": "value", "value": force}],
    )


@pytest.mark.parametrize("name", ["vic", "ana"])
def test_viewers_and_analysts_get_403_on_retrain(retrain_app, name):
    response = _start(sign_in(retrain_app.server.test_client(), name))
    assert response.status_code == 403
    assert "admin role" in response.get_json()["message"]


def test_an_admin_gets_a_signed_ticket_the_job_reads_back(retrain_app):
    admin = sign_in(retrain_app.server.test_client(), "ada")
    body = _start(admin, force=True).get_json()["response"]
    ticket = body[ids.RETRAIN_TICKET]["data"]
    assert read_ticket(retrain_app, ticket) == {"by": "ada", "force": True}
    forged = ticket[:-3] + ("abc" if not ticket.endswith("abc") else "xyz")
    assert read_ticket(retrain_app, forged) is None
    for junk in (None, 7, {"by": "ada"}, "", "a.b.c"):
        assert read_ticket(retrain_app, junk) is None
    other = URLSafeTimedSerializer("another secret", salt="flightdeck-retrain")
    assert read_ticket(retrain_app, other.dumps({"by": "ada"})) is None
