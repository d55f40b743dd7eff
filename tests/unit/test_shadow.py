"""Shadow scoring and fallback at predict time: every row names who answered, who shadowed
it and why a fallback answered; a lost shadow queue is made good by the backfill."""

from __future__ import annotations

import time

import pytest

from app import service_maker
from data.db import Database
from data.stores import PredictionLog
from model.service import InputError
from model.serving import ServingModels
from model.shadow import ShadowScorer


def _models(settings, registry, spec, mode="background", make=None):
    log = PredictionLog(Database(settings.database).migrate())
    scorer = ShadowScorer(log, mode)
    make = make or service_maker(settings, spec, log)
    return ServingModels(registry, make, poll_s=0.0, shadow=scorer), log, scorer


@pytest.mark.parametrize("mode", ["background", "inline"])
def test_the_challenger_answers_every_logged_prediction(
    two_version_home, flights_spec, mode
):
    settings, registry, old, new = two_version_home
    models, log, scorer = _models(settings, registry, flights_spec, mode)
    service = models.current()
    answers = [
        models.predict({**service.defaults(), "hour": hour}, source="whatif")[1]
        for hour in (6, 12, 18)
    ]
    assert scorer.flush(10)
    rows = {row["request_id"]: row for row in log.recent(3)}
    expected = models.serving.challenger.answers([a.inputs for a in answers])
    for answer, (value, label) in zip(answers, expected, strict=True):
        row = rows[answer.request_id]
        assert row["model_version"] == new and row["challenger_version"] == old
        assert row["challenger_output"] == pytest.approx(value)
        assert row["challenger_label"] == label and row["fallback"] is None
    assert row["challenger_output"] != pytest.approx(row["output"], abs=1e-9)


def test_no_challenger_no_shadow(two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    registry.set_alias("challenger", None, "ada")
    models, log, scorer = _models(settings, registry, flights_spec)
    models.predict(models.current().defaults())
    row = log.recent(1)[0]
    assert row["challenger_version"] is None and row["challenger_output"] is None
    assert scorer.filled == 0


def test_rows_whose_shadow_answer_was_lost_are_backfilled(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    models, log, scorer = _models(settings, registry, flights_spec)
    service, challenger = models.current(), models.serving.challenger
    # A worker that logged rows and stopped before its queue was scored.
    lost = [
        log.record(
            source="whatif",
            model_version=new,
            model_sha256="x",
            inputs={**service.defaults(), "hour": float(hour)},
            output=0.2,
            latency_ms=1.0,
            challenger_version=old,
        )
        for hour in (5, 9)
    ]
    assert scorer.backfill(challenger, older_than_s=0) == 2
    rows = {row["request_id"]: row for row in log.recent(2)}
    assert all(rows[rid]["challenger_output"] is not None for rid in lost)
    assert scorer.backfill(challenger, older_than_s=0) == 0  # filled once


class Raising:
    """A pipeline that loads but fails when it predicts (e.g. a library mismatch)."""

    def __init__(self, pipeline):
        self.classes_ = pipeline.classes_

    def predict_proba(self, frame):
        raise RuntimeError("feature names mismatch")


def _raising_champion(settings, spec, log, broken: str):
    make = service_maker(settings, spec, log)

    def make_some_broken(pipeline, card):
        return make(Raising(pipeline) if card.version == broken else pipeline, card)

    return make_some_broken


def test_a_champion_that_raises_hands_the_request_to_the_challenger(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    log = PredictionLog(Database(settings.database).migrate())
    make = _raising_champion(settings, flights_spec, log, new)
    models = ServingModels(registry, make, poll_s=0.0)
    assert not models.serving.degraded  # it loads; it fails only when asked
    service, answer = models.predict(models.current().defaults())
    assert service.version == old and answer.version == old
    row = log.recent(1)[0]
    assert row["model_version"] == old
    assert "raised when predicting: feature names mismatch" in row["fallback"]
    serving = models.serving
    assert serving.degraded and serving.champion == new
    assert serving.reason.startswith("the champion failed")
    service, _ = models.predict(service.defaults())  # no second attempt on the champion
    assert service.version == old and log.count() == 2


def test_the_champion_is_tried_again_after_the_retry_period(
    two_version_home, flights_spec
):
    settings, registry, old, new = two_version_home
    log = PredictionLog(Database(settings.database).migrate())
    make = _raising_champion(settings, flights_spec, log, new)
    models = ServingModels(registry, make, poll_s=0.0, retry_s=1.5)
    models.predict(models.current().defaults())
    assert models.current().version == old
    time.sleep(1.6)  # a loaded machine may take 0.3 s to answer: leave a wide margin
    assert models.current().version == new  # set aside for 1.5 s: back at the next poll


def test_with_nothing_to_fall_back_on_the_error_stands(two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    log = PredictionLog(Database(settings.database).migrate())
    make = service_maker(settings, flights_spec, log)
    models = ServingModels(
        registry, lambda p, c: make(Raising(p), c), poll_s=0.0, retry_s=60
    )
    with pytest.raises(RuntimeError, match="feature names mismatch"):
        models.predict(models.current().defaults())
    assert log.count() == 0


def test_bad_input_is_not_a_model_failure(two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    models, log, _ = _models(settings, registry, flights_spec)
    with pytest.raises(InputError):
        models.predict({"hour": "noon"})
    assert models.current().version == new and not models.serving.degraded


class _LogAway:
    """A log whose database is away on the first idle pass and back on the next."""

    def __init__(self):
        self.asked = 0

    def shadow_pending(self, version, before, limit):
        self.asked += 1
        if self.asked == 1:
            raise RuntimeError("server closed the connection unexpectedly")
        return []


def test_the_idle_backfill_outlives_a_database_away():
    import time
    from types import SimpleNamespace

    from model.shadow import ShadowScorer

    away = _LogAway()
    scorer = ShadowScorer(away, idle_s=0.01)
    scorer.challenger = SimpleNamespace(version="v1")
    scorer._start()
    deadline = time.monotonic() + 5
    while away.asked < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert away.asked >= 3  # the thread went on after the failure
