"""The pipelines we build, scored without sklearn's per-call preparation: same numbers, sooner.

A one-row `Pipeline.predict_proba` of the flights model takes 5–8 ms, of which walking the
trees takes under 1. The rest is preparation paid on every call, twice over: our
ColumnTransformer turns the category text into codes, then the HistGradientBoosting model
runs a ColumnTransformer of its own that turns those codes into its internal ones, each with
its input checks.

For the shape `model/pipeline.py` builds (an OrdinalEncoder on the categories, the numbers
passed through, a HistGradientBoosting model with categorical features) `direct()` composes
the two encodings into one lookup per category column, and sums the fitted trees itself
with the model's own `_predict_iterations` and loss, the steps of its `_raw_predict` after
the preparation. Those are private to sklearn (pinned in requirements.txt), so `direct()`
scores a probe frame both ways when it loads a model and keeps the plain pipeline unless
the answers are identical. Any other pipeline (a logistic regression, a team's own) is used
as it is.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

logger = logging.getLogger("flightdeck.model")
BOOSTING = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
UNSEEN = "\x00not a category"  # the probe's value no model was fitted on


class DirectPipeline:
    """predict_proba / predict of a fitted ordinal-encoder + boosting pipeline on a frame."""

    def __init__(self, codes: dict[str, dict], numbers: list[str], model):
        self.codes = codes  # category column -> {text: the model's internal code}
        self.numbers = numbers
        self.model = model
        self.classes_ = getattr(model, "classes_", None)

    def array(self, frame) -> np.ndarray:
        """The model's input after its own preparation: internal category codes (unknown
        or missing: NaN), then the numbers as float64. `frame`: a DataFrame or a dict of
        column arrays."""
        n = len(frame[self.numbers[0] if self.numbers else next(iter(self.codes))])
        out = np.empty((n, len(self.codes) + len(self.numbers)))
        for i, (column, table) in enumerate(self.codes.items()):
            out[:, i] = [table.get(value, np.nan) for value in frame[column]]
        for i, column in enumerate(self.numbers, len(self.codes)):
            out[:, i] = frame[column]
        return out

    def raw(self, frame) -> np.ndarray:
        """The model's _raw_predict, from the prepared array."""
        model, X = self.model, self.array(frame)
        raw = np.zeros(
            (len(X), model.n_trees_per_iteration_),
            dtype=model._baseline_prediction.dtype,
            order="F",
        )
        raw += model._baseline_prediction
        threads = _openmp_effective_n_threads()
        model._predict_iterations(
            self.array(frame), model._predictors, raw, False, threads
        )
        return raw

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.model._loss.predict_proba(self.raw(frame))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        raw = self.raw(frame)
        if self.classes_ is None:
            return self.model._loss.link.inverse(raw.ravel())
        if raw.shape[1] == 1:
            return self.classes_[(raw.ravel() > 0).astype(int)]
        return self.classes_[np.argmax(raw, axis=1)]


def _is_nan(value) -> bool:
    return isinstance(value, float) and np.isnan(value)


def _nan_encoder(step) -> bool:
    return (
        isinstance(step, OrdinalEncoder)
        and step.handle_unknown == "use_encoded_value"
        and _is_nan(step.unknown_value)
        and _is_nan(step.encoded_missing_value)
    )


def _parts(prepare: ColumnTransformer):
    """(encoder, its columns, the passed-through columns) when `prepare` is ours, else None.

    The steps are read as declared (a fitted passthrough becomes a FunctionTransformer),
    the encoder as fitted."""
    declared = [(name, step) for name, step, _ in prepare.transformers]
    if (
        prepare.remainder != "drop"
        or [name for name, _ in declared] != ["category", "number"]
        or declared[1][1] != "passthrough"
    ):
        return None
    fitted = {name: (step, list(cols)) for name, step, cols in prepare.transformers_}
    encoder, cats = fitted["category"]
    return (encoder, cats, fitted["number"][1]) if _nan_encoder(encoder) else None


def _inner_codes(model, n_cats: int) -> list[dict[float, float]]:
    """Per category column, our code -> the model's internal code (its own encoder's)."""
    inner = model._preprocessor
    if inner is None:
        raise ValueError("the model treats no feature as a category")
    mask = np.asarray(model.is_categorical_)
    if not mask[:n_cats].all() or mask[n_cats:].any():
        raise ValueError("the model's categorical features are not the encoded columns")
    encoder = inner.named_transformers_["encoder"]
    return [
        {float(v): float(i) for i, v in enumerate(known) if not np.isnan(v)}
        for known in encoder.categories_
    ]


def _composed(encoder, cats: list[str], model) -> dict[str, dict]:
    """Per category column, its text -> the model's internal code."""
    inner = _inner_codes(model, len(cats))
    codes = {}
    for column, known, table in zip(cats, encoder.categories_, inner, strict=True):
        codes[column] = {
            value: table.get(float(i), np.nan)
            for i, value in enumerate(known)
            if not pd.isna(value)
        }
    return codes


def _probe(direct_: DirectPipeline, columns: list[str]) -> pd.DataFrame:
    """Rows with every known category, an unseen one, missing values, and spread numbers."""
    longest = max([len(t) for t in direct_.codes.values()] + [1]) + 2
    numbers = [0.0, 1.0, -1.0, 2.5, 17.0, 1e3, -1e6, 1e9, np.nan]
    data = {}
    for column, table in direct_.codes.items():
        values = [*table, UNSEEN, None]
        data[column] = np.array(
            [values[i % len(values)] for i in range(longest)], object
        )
    for j, column in enumerate(direct_.numbers):
        data[column] = np.array(
            [numbers[(i + j) % len(numbers)] for i in range(longest)], np.float64
        )
    for column in columns:
        data.setdefault(column, np.full(longest, np.nan))  # dropped by the pipeline
    return pd.DataFrame(data, columns=columns)


def _same(pipeline, direct_: DirectPipeline, frame: pd.DataFrame) -> bool:
    if is_classifier(pipeline):
        ours, theirs = direct_.predict_proba(frame), pipeline.predict_proba(frame)
    else:
        ours, theirs = direct_.predict(frame), pipeline.predict(frame)
    return ours.shape == theirs.shape and np.array_equal(ours, theirs, equal_nan=True)


def direct(pipeline):
    """A DirectPipeline for a fitted pipeline of the shape we build; else `pipeline` itself."""
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return pipeline
    prepare, model = pipeline.steps[0][1], pipeline.steps[1][1]
    if not isinstance(prepare, ColumnTransformer) or not isinstance(model, BOOSTING):
        return pipeline
    parts = _parts(prepare)
    if parts is None:
        return pipeline
    encoder, cats, numbers = parts
    try:
        ours = DirectPipeline(_composed(encoder, cats, model), numbers, model)
        columns = list(getattr(prepare, "feature_names_in_", cats + numbers))
        if _same(pipeline, ours, _probe(ours, columns)):
            return ours
        reason = "its answers differ from the pipeline's"
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        reason = str(exc)
    logger.warning("scoring through the plain pipeline: %s", reason)
    return pipeline
