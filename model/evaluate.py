"""Holdout metrics and the curves a model card shows, all small enough to store in the card.

`y` is always the target as numbers: class codes in the card's class order (binary: 1 is
the positive class) or the regression values. `pred` is p(positive), a probability matrix
(multi-class) or predicted values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance

from model.card import (
    Calibration,
    ClassScores,
    Confusion,
    Curves,
    Importance,
    Residuals,
    Roc,
    Thresholds,
)

THRESHOLDS = np.round(np.linspace(0, 1, 101), 2)
# Headline metric per kind, and whether higher is better: used to compare estimators.
PRIMARY = {
    "binary": ("auc", True),
    "multiclass": ("log_loss", False),
    "regression": ("mae", False),
}


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Row-weighted mean |observed rate - mean prediction| over the card's quantile bins."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if p.size == 0:
        return float("nan")
    edges = np.quantile(p, np.linspace(0, 1, bins + 1))
    ids = np.searchsorted(edges[1:-1], p)  # as sklearn's calibration_curve bins them
    gaps = np.bincount(ids, weights=y - p, minlength=bins)
    return float(np.abs(gaps).sum() / p.size)


HIGHER_IS_BETTER = frozenset({"auc", "accuracy", "r2"})
LOWER_IS_BETTER = frozenset({"log_loss", "brier", "ece", "mae", "rmse"})
FACTS = ("positive_rate", "rows")  # about the holdout, not the model


def higher_is_better(metric: str) -> bool | None:
    """Whether a higher value of the metric is better; None for facts about the data."""
    if metric in HIGHER_IS_BETTER or metric.startswith("auc_"):
        return True
    if metric in LOWER_IS_BETTER:
        return False
    return None


def binary_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Holdout scores of p(positive): ranking (AUC) and calibration (log loss, Brier, ECE)."""
    out = {
        "log_loss": float(
            metrics.log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1])
        ),
        "brier": float(metrics.brier_score_loss(y, p, pos_label=1)),
        "ece": expected_calibration_error(y, p),
        "positive_rate": float(np.mean(y)),
        "rows": int(len(y)),
    }
    if len(np.unique(y)) == 2:
        out["auc"] = float(metrics.roc_auc_score(y, p))
    return out


def multiclass_metrics(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    k = proba.shape[1]
    proba = np.clip(proba, 1e-9, 1)
    proba = proba / proba.sum(axis=1, keepdims=True)
    out = {
        "log_loss": float(metrics.log_loss(y, proba, labels=list(range(k)))),
        "accuracy": float(metrics.accuracy_score(y, proba.argmax(axis=1))),
        "rows": int(len(y)),
    }
    present = np.unique(y).astype(int)
    if present.size == k:
        for average in ("macro", "weighted"):
            out[f"auc_{average}"] = float(
                metrics.roc_auc_score(y, proba, multi_class="ovr", average=average)
            )
    return out


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "mae": float(metrics.mean_absolute_error(y, pred)),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))),
        "r2": float(metrics.r2_score(y, pred)),
        "rows": int(len(y)),
    }


def score_metrics(y, pred, kind: str) -> dict[str, float]:
    if kind == "binary":
        return binary_metrics(y, pred[:, 1] if pred.ndim == 2 else pred)
    if kind == "multiclass":
        return multiclass_metrics(y, pred)
    return regression_metrics(y, pred)


def binary_curves(y: np.ndarray, p: np.ndarray) -> Curves:
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
    return Curves(
        calibration=Calibration(
            predicted=mean_pred.tolist(), observed=true_rate.tolist()
        ),
        roc=Roc(fpr=fpr[keep].tolist(), tpr=tpr[keep].tolist()),
        thresholds=Thresholds(values=THRESHOLDS.tolist(), tp_fp_tn_fn=confusion),
    )


def multiclass_curves(y: np.ndarray, proba: np.ndarray) -> Curves:
    """The confusion matrix of the most likely class (actual rows, predicted columns)."""
    k = proba.shape[1]
    counts = metrics.confusion_matrix(y, proba.argmax(axis=1), labels=list(range(k)))
    return Curves(confusion=Confusion(counts=counts.tolist()))


def regression_curves(y: np.ndarray, pred: np.ndarray, sample: int = 600) -> Curves:
    """A fixed random sample of (predicted, residual) pairs for the residual plot."""
    rng = np.random.default_rng(0)
    pick = rng.choice(len(y), size=min(sample, len(y)), replace=False)
    return Curves(
        residuals=Residuals(
            predicted=pred[pick].tolist(), residual=(y - pred)[pick].tolist()
        )
    )


def curves(y, pred, kind: str) -> Curves:
    if kind == "binary":
        return binary_curves(y, pred[:, 1])
    if kind == "multiclass":
        return multiclass_curves(y, pred)
    return regression_curves(y, pred)


def per_class(
    y: np.ndarray, proba: np.ndarray, classes: list[str]
) -> list[ClassScores]:
    """Precision and recall of each class when the most likely class is predicted."""
    k = len(classes)
    precision, recall, _, support = metrics.precision_recall_fscore_support(
        y, proba.argmax(axis=1), labels=list(range(k)), zero_division=0
    )
    return [
        ClassScores(label=c, precision=float(p), recall=float(r), support=int(s))
        for c, p, r, s in zip(classes, precision, recall, support, strict=True)
    ]


def importance(
    pipeline, X: pd.DataFrame, y, classification: bool, sample: int = 4000
) -> list[Importance]:
    """Permutation importance on a holdout sample, largest first.

    Classification scores log loss (y: the text labels the pipeline was fitted on), which
    means the same for two classes or many.
    """
    y = np.asarray(y)
    if len(X) > sample:
        pick = np.random.default_rng(0).choice(len(X), size=sample, replace=False)
        X, y = X.iloc[pick], y[pick]
    scoring = "neg_log_loss" if classification else "neg_mean_absolute_error"
    result = permutation_importance(
        pipeline, X, y, scoring=scoring, n_repeats=3, random_state=0, n_jobs=1
    )
    rows = [
        Importance(feature=column, mean=float(m), std=float(s))
        for column, m, s in zip(
            X.columns, result.importances_mean, result.importances_std, strict=True
        )
    ]
    return sorted(rows, key=lambda row: row.mean, reverse=True)
