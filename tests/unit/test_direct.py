"""model/direct.py: the pipelines we build, scored without sklearn's per-call preparation,
give exactly the pipeline's answers; any other pipeline is used as it is."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from model.direct import DirectPipeline, direct
from model.service import ModelService
from model.train import registry_for

CATS, NUMS = ["airline", "airport"], ["hour", "temp", "wind"]


def _synthetic(rows: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "airline": rng.choice(["AA", "B6", "DL", "UA", "9E"], rows).astype(object),
            "airport": rng.choice(["EWR", "JFK", "LGA"], rows).astype(object),
            "hour": rng.integers(5, 23, rows).astype(float),
            "temp": rng.normal(55, 18, rows),
            "wind": rng.gamma(2, 5, rows),
        }
    )
    frame.loc[rng.random(rows) < 0.05, "temp"] = np.nan  # gaps the model is fitted with
    frame.loc[rng.random(rows) < 0.02, "airline"] = None
    return frame


def _ours(model, cats=CATS, nums=NUMS) -> Pipeline:
    """The shape model/pipeline.py builds for boosting."""
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
    )
    prepare = ColumnTransformer(
        [("category", encoder, cats), ("number", "passthrough", nums)],
        verbose_feature_names_out=False,
    )
    return Pipeline([("prepare", prepare), ("model", model)])


def _mask(cats=CATS, nums=NUMS) -> list[bool]:
    return [True] * len(cats) + [False] * len(nums)


def _hostile(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, then rows a fitted model never saw: unknown text, gaps, extreme numbers."""
    odd = frame.head(6).copy()
    odd["airline"] = ["ZZ", None, np.nan, "", "aa", "UA"]
    odd["airport"] = ["JFK", "XXX", None, "EWR", "LGA", "JFK"]
    odd["temp"] = [np.nan, -1e9, 1e9, 0.0, np.inf, -np.inf]
    return pd.concat([frame, odd], ignore_index=True)


def _targets(frame: pd.DataFrame, seed: int = 1):
    rng = np.random.default_rng(seed)
    late = (
        (frame["hour"] > 16)
        ^ (frame["airline"] == "B6")
        ^ (rng.random(len(frame)) < 0.2)
    )
    return late.map({True: "1", False: "0"}).to_numpy()


def test_binary_model_answers_exactly_as_the_pipeline():
    frame = _synthetic()
    pipeline = _ours(
        HistGradientBoostingClassifier(max_iter=30, categorical_features=_mask())
    )
    pipeline.fit(frame, _targets(frame))
    fast = direct(pipeline)
    assert isinstance(fast, DirectPipeline)
    rows = _hostile(_synthetic(500, seed=9))
    assert np.array_equal(fast.predict_proba(rows), pipeline.predict_proba(rows))
    assert np.array_equal(fast.predict(rows), pipeline.predict(rows))
    assert list(fast.classes_) == list(pipeline.classes_)


def test_multiclass_and_regression_models_answer_exactly_as_the_pipeline():
    frame = _synthetic()
    rows = _hostile(_synthetic(400, seed=5))
    three = np.where(
        frame["temp"].fillna(50) > 60, "hot", np.where(frame["hour"] > 12, "pm", "am")
    )
    minutes = frame["hour"].to_numpy() * 2 + (frame["airport"] == "EWR") * 9
    for model, target in (
        (HistGradientBoostingClassifier, three),
        (HistGradientBoostingRegressor, minutes),
    ):
        pipeline = _ours(model(max_iter=20, categorical_features=_mask()))
        pipeline.fit(frame, target)
        fast = direct(pipeline)
        assert isinstance(fast, DirectPipeline)
        assert np.array_equal(fast.predict(rows), pipeline.predict(rows))
        if model is HistGradientBoostingClassifier:
            assert np.array_equal(
                fast.predict_proba(rows), pipeline.predict_proba(rows)
            )


def test_the_champion_on_disk_answers_exactly_as_its_pipeline(
    small_settings, flights_spec
):
    from data.ingest import processed_path, read_processed

    registry = registry_for(small_settings, flights_spec)
    pipeline, card = registry.load(registry.resolve("champion"))
    service = ModelService(pipeline, card)
    assert isinstance(service.predictor, DirectPipeline)
    frame, _ = read_processed(
        processed_path(small_settings, flights_spec), flights_spec
    )
    rows = service.frame(frame[service.columns].to_dict("records"))
    assert np.array_equal(
        service.predictor.predict_proba(rows), pipeline.predict_proba(rows)
    )
    one = service.frame([service.defaults()])
    assert np.array_equal(
        service.predictor.predict_proba(one), pipeline.predict_proba(one)
    )


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: _ours(LogisticRegression()), id="logistic-regression"),
        pytest.param(
            lambda: HistGradientBoostingClassifier(max_iter=5), id="not-a-pipeline"
        ),
        pytest.param(
            lambda: Pipeline(
                [
                    (
                        "prepare",
                        ColumnTransformer(
                            [("number", "passthrough", NUMS)], remainder="drop"
                        ),
                    ),
                    ("model", HistGradientBoostingClassifier(max_iter=5)),
                ]
            ),
            id="numbers-only",
        ),
        pytest.param(
            lambda: _ours(
                HistGradientBoostingClassifier(max_iter=5, categorical_features=None)
            ),
            id="codes-read-as-numbers",
        ),
    ],
)
def test_other_pipelines_are_used_as_they_are(build):
    frame = _synthetic(600).fillna({"temp": 50.0, "airline": "AA"})
    target = _targets(frame)
    model = build()
    if isinstance(model, Pipeline):
        model.fit(frame, target)
    else:
        model.fit(frame[NUMS], target)
    assert direct(model) is model


def test_a_model_whose_answers_differ_keeps_the_pipeline(monkeypatch, caplog):
    frame = _synthetic(600)
    pipeline = _ours(
        HistGradientBoostingClassifier(max_iter=5, categorical_features=_mask())
    )
    pipeline.fit(frame, _targets(frame))
    original = DirectPipeline.predict_proba
    monkeypatch.setattr(
        DirectPipeline, "predict_proba", lambda self, f: original(self, f) + 1e-12
    )
    with caplog.at_level(logging.WARNING, logger="flightdeck.model"):
        assert direct(pipeline) is pipeline
    assert "differ" in caplog.text


def test_a_model_whose_private_steps_moved_keeps_the_pipeline(monkeypatch, caplog):
    frame = _synthetic(600)
    pipeline = _ours(
        HistGradientBoostingClassifier(max_iter=5, categorical_features=_mask())
    )
    pipeline.fit(frame, _targets(frame))
    monkeypatch.delattr(pipeline.named_steps["model"], "_baseline_prediction")
    with caplog.at_level(logging.WARNING, logger="flightdeck.model"):
        assert direct(pipeline) is pipeline
    assert "plain pipeline" in caplog.text


def test_scores_of_columns_equal_scores_of_the_frame(small_settings, flights_spec):
    """The service scores a few rows from their columns (no DataFrame) through either
    predictor, with the same answers as from a frame."""
    registry = registry_for(small_settings, flights_spec)
    pipeline, card = registry.load(registry.resolve("champion"))
    fast, plain = ModelService(pipeline, card), ModelService(pipeline, card)
    plain.predictor = pipeline
    rows = [{**fast.defaults(), "hour": float(h)} for h in range(5, 23)]
    expected = pipeline.predict_proba(fast.frame(rows))[:, 1:2]
    for service in (fast, plain):
        assert np.array_equal(service.scores(service.columns_of(rows)), expected)
        assert np.array_equal(service.scores(service.frame(rows)), expected)
