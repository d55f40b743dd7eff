"""The feature schema learned at training: what the predict form and validation rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.spec import DatasetSpec

MAX_CATEGORIES = 500


def _number_entry(values: pd.Series) -> dict:
    finite = values.dropna().to_numpy(float)
    quantiles = np.quantile(finite, [0.0, 0.01, 0.5, 0.99, 1.0])
    integer = bool(np.all(np.mod(finite, 1) == 0))
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, 11)))
    counts = (
        np.histogram(finite, bins=edges)[0]
        if edges.size > 1
        else np.array([finite.size])
    )
    return {
        "min": float(quantiles[0]),
        "p01": float(quantiles[1]),
        "reference": float(quantiles[2]),
        "p99": float(quantiles[3]),
        "max": float(quantiles[4]),
        "integer": integer,
        "missing_share": float(values.isna().mean()),
        "drift": {
            "edges": edges.tolist(),
            "share": (counts / max(counts.sum(), 1)).tolist(),
        },
    }


def _category_entry(values: pd.Series) -> dict:
    shares = values.astype("string").value_counts(normalize=True, dropna=True)
    categories = sorted(shares.index[:MAX_CATEGORIES].tolist())
    return {
        "categories": categories,
        "reference": str(shares.index[0]),
        "missing_share": float(values.isna().mean()),
        "drift": {"share": {k: float(v) for k, v in shares.items()}},
    }


def feature_schema(spec: DatasetSpec, X: pd.DataFrame) -> list[dict]:
    """Per feature: kind, label, unit, and ranges or categories seen in training."""
    schema = []
    for feat in spec.features:
        entry = {
            "column": feat.column,
            "kind": feat.kind,
            "label": feat.label,
            "unit": feat.unit,
        }
        if feat.kind == "category":
            entry.update(_category_entry(X[feat.column]))
        else:
            entry.update(_number_entry(X[feat.column]))
        schema.append(entry)
    return schema
