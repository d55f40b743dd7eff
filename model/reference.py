"""The score reference a model card stores for monitoring (see ScoreReference)."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression

from model.card import ScoreCalibration, ScoreReference
from monitor.bins import (
    PROBABILITY_EDGES,
    SCORE_BINS,
    score_bin,
    shares,
    value_bin,
    value_edges,
)

MAX_STEPS = 200  # calibration points kept in the card


def _channels(pred: np.ndarray, kind: str) -> list[np.ndarray]:
    """One score per channel: p(positive) for binary, each class's probability otherwise."""
    pred = np.asarray(pred, dtype=float)
    if kind == "binary":
        return [pred[:, 1] if pred.ndim == 2 else pred]
    if kind == "multiclass":
        return [pred[:, k] for k in range(pred.shape[1])]
    return [pred]


def _calibration(y_hit: np.ndarray, score: np.ndarray) -> ScoreCalibration:
    """Isotonic observed rate by score on the validation split, thinned for the card."""
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(score, y_hit)
    x, y = iso.X_thresholds_, iso.y_thresholds_
    keep = np.unique(np.linspace(0, len(x) - 1, min(len(x), MAX_STEPS)).astype(int))
    return ScoreCalibration(score=x[keep].tolist(), observed=y[keep].tolist())


def score_reference(
    kind: str, y_valid: np.ndarray, pred_valid, pred_holdout
) -> ScoreReference:
    """Holdout score shares per channel, and (classification) the validation calibration."""
    holdout = _channels(pred_holdout, kind)
    if kind == "regression":
        edges = value_edges(holdout[0])
        bins = [value_bin(edges, v) for v in holdout[0]]
        return ScoreReference(
            edges=edges, holdout_share=[shares(np.array(bins), len(edges) - 1)]
        )
    y_valid = np.asarray(y_valid, dtype=int)
    valid = _channels(pred_valid, kind)
    codes = [1] if kind == "binary" else range(len(valid))
    return ScoreReference(
        edges=PROBABILITY_EDGES,
        holdout_share=[
            shares(np.array([score_bin(v) for v in channel]), SCORE_BINS)
            for channel in holdout
        ],
        calibration=[
            _calibration((y_valid == code).astype(float), channel)
            for code, channel in zip(codes, valid, strict=True)
        ],
    )
