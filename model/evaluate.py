"""Holdout metrics and the curves a model card shows, all small enough to store in card.json."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance

THRESHOLDS = np.round(np.linspace(0, 1, 101), 2)


def classification_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {
        "auc": float(metrics.roc_auc_score(y, p)),
        "log_loss": float(
            metrics.log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1])
        ),
        "brier": float(metrics.brier_score_loss(y, p)),
        "positive_rate": float(np.mean(y)),
        "rows": int(len(y)),
    }


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "mae": float(metrics.mean_absolute_error(y, pred)),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))),
        "r2": float(metrics.r2_score(y, pred)),
        "rows": int(len(y)),
    }


def score_metrics(y, pred, classification: bool) -> dict[str, float]:
    return (
        classification_metrics(y, pred)
        if classification
        else regression_metrics(y, pred)
    )


def classification_curves(y: np.ndarray, p: np.ndarray) -> dict:
    """Calibration bins, a thinned ROC curve, and confusion counts at every threshold step."""
    true_rate, mean_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    fpr, tpr, _ = metrics.roc_curve(y, p)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 200)).astype(int))
    positives = y == 1
    confusion = []
    for t in THRESHOLDS:
        flagged = p >= t
        confusion.append(
            [
                int(np.sum(flagged & positives)),
                int(np.sum(flagged & ~positives)),
                int(np.sum(~flagged & ~positives)),
                int(np.sum(~flagged & positives)),
            ]
        )
    return {
        "calibration": {
            "predicted": mean_pred.tolist(),
            "observed": true_rate.tolist(),
        },
        "roc": {"fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist()},
        "thresholds": {"values": THRESHOLDS.tolist(), "tp_fp_tn_fn": confusion},
    }


def regression_curves(y: np.ndarray, pred: np.ndarray, sample: int = 600) -> dict:
    """A fixed random sample of (predicted, residual) pairs for the residual plot."""
    rng = np.random.default_rng(0)
    pick = rng.choice(len(y), size=min(sample, len(y)), replace=False)
    return {
        "residuals": {
            "predicted": pred[pick].tolist(),
            "residual": (y - pred)[pick].tolist(),
        }
    }


def importance(
    pipeline, X: pd.DataFrame, y: np.ndarray, classification: bool, sample: int = 4000
) -> list[dict]:
    """Permutation importance on a holdout sample, largest first."""
    if len(X) > sample:
        pick = np.random.default_rng(0).choice(len(X), size=sample, replace=False)
        X, y = X.iloc[pick], y[pick]
    scoring = "roc_auc" if classification else "neg_mean_absolute_error"
    result = permutation_importance(
        pipeline, X, y, scoring=scoring, n_repeats=3, random_state=0, n_jobs=1
    )
    rows = [
        {"feature": column, "mean": float(m), "std": float(s)}
        for column, m, s in zip(
            X.columns, result.importances_mean, result.importances_std, strict=True
        )
    ]
    return sorted(rows, key=lambda row: row["mean"], reverse=True)
