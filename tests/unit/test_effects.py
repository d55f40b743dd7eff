"""Honest effects: a feature's background is the values it really takes, so a 0/1 flag
set to 0 shows its own effect, not none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from data.spec import parse_spec
from model.card import ModelCard
from model.schema import feature_schema


def _spec(tmp_path):
    return parse_spec(
        {
            "name": "flag",
            "source": {"path": "f.csv"},
            "target": {"column": "y", "positive": 1},
            "predict": {"whatif": "flag"},
            "features": [{"column": "flag"}, {"column": "noise"}],
        },
        tmp_path,
    )


@pytest.fixture()
def service(tmp_path):
    from model.service import ModelService

    rng = np.random.default_rng(0)
    flag = (rng.random(2000) < 0.3).astype(float)
    noise = rng.normal(size=2000)
    y = np.where(rng.random(2000) < np.where(flag == 1, 0.8, 0.2), "1", "0")
    X = pd.DataFrame({"flag": flag, "noise": noise})
    model = make_pipeline(
        FunctionTransformer(lambda f: f.to_numpy(float)), LogisticRegression()
    )
    model.fit(X, y)
    schema = feature_schema(_spec(tmp_path), X)
    card = ModelCard.model_validate(
        {
            "created": "now",
            "task": "classification",
            "target": "y",
            "outcome": "y",
            "classes": ["0", "1"],
            "positive": "1",
            "dataset": {
                "name": "flag",
                "title": "flag",
                "question": "",
                "rows": 2000,
                "fingerprint": "x",
                "split": {"train": {"rows": 2000, "target_mean": 0.38}},
            },
            "fingerprints": {"spec": "x", "source": "y"},
            "model": {"estimator": "LogisticRegression", "params": {}},
            "baseline": None,
            "metrics": {"model": {"holdout": {"auc": 0.7}}},
            "curves": {},
            "importance": [],
            "features": [e.model_dump() for e in schema],
            "libraries": {},
        }
    )
    return ModelService(model, card, whatif_feature="flag")


def test_a_flag_takes_its_observed_values_with_their_shares(service):
    background = service.schema["flag"].background
    assert background.values == [0.0, 1.0]
    assert background.weights == pytest.approx([0.7, 0.3], abs=0.03)
    assert service.schema["flag"].levels == [0.0, 1.0]
    assert service.whatif_values() == [0.0, 1.0]


def test_flag_off_and_on_both_show_their_effect(service):
    off = service.predict({"flag": 0, "noise": 0.0})
    on = service.predict({"flag": 1, "noise": 0.0})
    effect = {
        int(a.inputs["flag"]): a.effects.set_index("feature").loc["Flag", "prediction"]
        for a in (off, on)
    }
    assert effect[0] < -0.1 and effect[1] > 0.1  # both sides, not "all of it" on one
    # The background average is the same for both, so the gap is the whole difference.
    assert effect[1] - effect[0] == pytest.approx(on.value - off.value, abs=1e-9)


def test_a_value_never_seen_is_flagged(service):
    answer = service.predict({"flag": 0.5, "noise": 0.0})
    assert any("never seen in training" in w for w in answer.warnings)


def test_bands_default_to_neutral_words(service):
    assert {b.label for b in service.bands} == {
        "Lower than usual",
        "About usual",
        "Higher than usual",
    }
    assert not {"success", "danger"} & {b.color for b in service.bands}
