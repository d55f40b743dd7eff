"""The group baseline: class shares or the mean per group, the overall value for unseen groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.pipeline import ClassMixClassifier, MeanRegressor

TRAIN = pd.DataFrame(
    {"carrier": ["AA", "AA", "UA", "UA", "UA"], "hour": [5, 5, 5, 6, 6]}
)
Y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
LABELS = np.array(["yes", "no", "yes", "yes", "no"])


def test_shares_per_group_and_fallback():
    model = ClassMixClassifier(("carrier", "hour")).fit(TRAIN, LABELS)
    assert model.classes_.tolist() == ["no", "yes"]
    probe = pd.DataFrame({"carrier": ["AA", "UA", "UA", "ZZ"], "hour": [5, 5, 6, 5]})
    assert model.predict_proba(probe)[:, 1] == pytest.approx(
        [0.5, 1.0, 0.5, 0.6], abs=1e-5
    )


def test_three_classes_get_three_shares():
    labels = np.array(["a", "b", "c", "c", "c"])
    model = ClassMixClassifier(("carrier",)).fit(TRAIN, labels)
    proba = model.predict_proba(TRAIN.head(3))
    assert proba.shape == (3, 3)
    assert proba.sum(axis=1) == pytest.approx([1, 1, 1])
    assert proba[2] == pytest.approx([0, 0, 1], abs=1e-5)
    assert model.predict(TRAIN.tail(1)).tolist() == ["c"]


def test_single_column_and_no_columns():
    assert MeanRegressor(("carrier",)).fit(TRAIN, Y).predict(
        TRAIN.head(2)
    ) == pytest.approx([0.5, 0.5])
    assert MeanRegressor(()).fit(TRAIN, Y).predict(TRAIN) == pytest.approx([0.6] * 5)


def test_categorical_columns_work_like_strings():
    categorical = TRAIN.astype({"carrier": "category"})
    model = ClassMixClassifier(("carrier", "hour")).fit(categorical, LABELS)
    as_text = ClassMixClassifier(("carrier", "hour")).fit(TRAIN, LABELS)
    assert model.predict_proba(categorical) == pytest.approx(
        as_text.predict_proba(TRAIN)
    )
