"""Serving: a promote is picked up live, a request keeps its version, and a champion that
cannot load leaves another version serving, with the reason said."""

from __future__ import annotations

import json

import pytest

from app import service_maker
from data.db import Database
from data.stores import PredictionLog
from model.registry import CARD_FILE, MODEL_FILE, ModelLoadError
from model.serving import ServingModels


def _models(settings, registry, spec, poll_s=0.0) -> ServingModels:
    log = PredictionLog(Database(settings.database).migrate())
    return ServingModels(registry, service_maker(settings, spec, log), poll_s=poll_s)


def test_a_promote_is_served_at_the_next_poll(two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    models = _models(settings, registry, flights_spec)
    in_flight = models.current()
    assert in_flight.version == new and not models.serving.degraded
    registry.set_alias("champion", old, "ada", "roll back")
    assert models.current().version == old
    answer = in_flight.predict(in_flight.defaults())  # a request that began before
    assert answer.version == new
    assert in_flight.log.recent(1)[0]["model_version"] == new


def test_no_reload_within_the_poll_interval(two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    models = _models(settings, registry, flights_spec, poll_s=3600)
    registry.set_alias("champion", old, "ada")
    assert models.current().version == new  # next poll is an hour away


def _tamper(registry, version: str) -> None:
    with open(registry.root / version / MODEL_FILE, "ab") as handle:
        handle.write(b"tampered")


def test_a_champion_with_a_wrong_sha256_leaves_the_challenger_serving(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    _tamper(registry, new)
    serving = _models(settings, registry, flights_spec).serving
    assert serving.service.version == old and serving.degraded
    assert serving.champion == new and "sha256" in serving.reason


def test_without_a_challenger_the_newest_version_that_loads_serves(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    registry.set_alias("challenger", None, "ada")
    card = registry.root / new / CARD_FILE
    raw = json.loads(card.read_text())
    raw["libraries"]["scikit-learn"] = "0.24.0"
    card.write_text(json.dumps(raw))
    serving = _models(settings, registry, flights_spec).serving
    assert serving.service.version == old and "scikit-learn 0.24.0" in serving.reason


def test_a_promote_to_a_broken_version_keeps_the_working_one(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    models = _models(settings, registry, flights_spec)
    registry.set_alias("challenger", None, "ada")
    _tamper(registry, old)
    registry.set_alias("champion", old, "ada")
    serving = models.serving
    assert serving.service.version == new and serving.degraded
    assert serving.champion == old and "sha256" in serving.reason


def test_nothing_that_loads_is_a_clear_error(two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    (registry.root / old / MODEL_FILE).unlink()
    _tamper(registry, new)
    with pytest.raises(ModelLoadError, match="no model version can serve"):
        _models(settings, registry, flights_spec)
