"""The model is one sklearn Pipeline; the baseline is an honest group-rate table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from data.spec import DatasetSpec

# Measured on the flights holdout: same AUC (0.686) as 250 rounds of 48 leaves, lower log loss
# (0.4950 vs 0.4992), and a much shorter first run.
DEFAULT_PARAMS = {
    "max_iter": 150,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "l2_regularization": 1.0,
}


def build_pipeline(spec: DatasetSpec, params: dict | None = None) -> Pipeline:
    """Encode categories as ordinals (unseen -> missing) and fit gradient-boosted trees."""
    cats, nums = spec.category_features, spec.number_features
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
    )
    prep = ColumnTransformer(
        [("category", encoder, cats), ("number", "passthrough", nums)],
        verbose_feature_names_out=False,
    )
    settings = {**DEFAULT_PARAMS, **(params or {}), "random_state": 0}
    mask = [True] * len(cats) + [False] * len(nums)
    estimator_class = (
        HistGradientBoostingClassifier
        if spec.is_classification
        else HistGradientBoostingRegressor
    )
    estimator = estimator_class(categorical_features=mask, **settings)
    return Pipeline([("prepare", prep), ("model", estimator)])


class GroupRateBaseline(BaseEstimator):
    """Predicts the training mean of the target within each group (e.g. carrier x hour).

    Groups unseen in training fall back to the overall mean.
    """

    def __init__(self, columns: tuple[str, ...] = ()):
        self.columns = columns

    def fit(self, X: pd.DataFrame, y) -> GroupRateBaseline:
        y = np.asarray(y, dtype=float)
        self.overall_ = float(y.mean())
        self.table_ = None
        if self.columns:
            keys = self._keys(X)
            self.table_ = (
                pd.Series(y, index=keys).groupby(level=list(range(keys.nlevels))).mean()
            )
        return self

    def _keys(self, X: pd.DataFrame) -> pd.MultiIndex:
        """Group keys as text, vectorised (a row-wise join took 30 s on 245k rows)."""
        return pd.MultiIndex.from_frame(X[list(self.columns)].astype(str))

    def _predict_mean(self, X: pd.DataFrame) -> np.ndarray:
        if self.table_ is None:
            return np.full(len(X), self.overall_)
        means = self.table_.reindex(self._keys(X)).to_numpy(float)
        return np.where(np.isnan(means), self.overall_, means)


class RateClassifier(ClassifierMixin, GroupRateBaseline):
    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return super().fit(X, y)

    def predict_proba(self, X) -> np.ndarray:
        p = np.clip(self._predict_mean(X), 1e-6, 1 - 1e-6)
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class MeanRegressor(RegressorMixin, GroupRateBaseline):
    def predict(self, X) -> np.ndarray:
        return self._predict_mean(X)


def build_baseline(spec: DatasetSpec) -> GroupRateBaseline:
    columns = tuple(spec.baseline_columns)
    return RateClassifier(columns) if spec.is_classification else MeanRegressor(columns)


def predict_values(estimator, X: pd.DataFrame, classification: bool) -> np.ndarray:
    """Probability of the positive class, or the predicted value for regression."""
    if classification:
        return estimator.predict_proba(X)[:, 1]
    return estimator.predict(X)
