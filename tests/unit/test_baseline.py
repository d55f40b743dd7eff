"""The group-rate baseline: the training mean per group, the overall mean for unseen groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.pipeline import MeanRegressor, RateClassifier

TRAIN = pd.DataFrame(
    {"carrier": ["AA", "AA", "UA", "UA", "UA"], "hour": [5, 5, 5, 6, 6]}
)
Y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])


def test_rate_per_group_and_fallback():
    model = RateClassifier(("carrier", "hour")).fit(TRAIN, Y)
    probe = pd.DataFrame({"carrier": ["AA", "UA", "UA", "ZZ"], "hour": [5, 5, 6, 5]})
    assert model.predict_proba(probe)[:, 1] == pytest.approx(
        [0.5, 1.0 - 1e-6, 0.5, 0.6]
    )


def test_single_column_and_no_columns():
    assert MeanRegressor(("carrier",)).fit(TRAIN, Y).predict(
        TRAIN.head(2)
    ) == pytest.approx([0.5, 0.5])
    assert MeanRegressor(()).fit(TRAIN, Y).predict(TRAIN) == pytest.approx([0.6] * 5)


def test_categorical_columns_work_like_strings():
    categorical = TRAIN.astype({"carrier": "category"})
    model = RateClassifier(("carrier", "hour")).fit(categorical, Y)
    assert model.predict(categorical).tolist() == [1, 1, 1, 1, 1]
