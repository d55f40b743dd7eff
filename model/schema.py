"""The feature schema learned at training: what the form, validation and effects rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.categories import category_order, integer_levels
from data.spec import DatasetSpec, Feature
from model.card import Background, FeatureEntry

MAX_CATEGORIES = 500
TOP_BACKGROUND = 8
QUANTILES = np.linspace(0.05, 0.95, 10)


def drift_edges(finite: np.ndarray, mass: float = 0.05) -> list[float]:
    """Drift bins of a continuous feature: a value holding `mass` or more of the rows (no
    rain: 0, clear sky: 10 miles) gets a bin of its own, the rest is cut at its deciles,
    so a shift inside the rest (winter fog) is not lost in one wide bin."""
    values, counts = np.unique(finite, return_counts=True)
    heavy = values[counts >= mass * finite.size]
    rest = finite[~np.isin(finite, heavy)]
    edges = {float(finite.min()), float(finite.max())}
    if rest.size:
        edges.update(np.quantile(rest, np.linspace(0, 1, 11)).tolist())
    for value in heavy.tolist():
        step = 1e-6 * max(1.0, abs(value))
        edges.update((value - step, value + step))
    return sorted(edges)


def _number_entry(values: pd.Series) -> dict:
    finite = values.dropna().to_numpy(float)
    low, p01, median, p99, high = np.quantile(finite, [0.0, 0.01, 0.5, 0.99, 1.0])
    levels = integer_levels(finite)
    if levels:
        counts = pd.Series(finite).value_counts().reindex(levels).to_numpy(float)
        background = Background(values=levels, weights=(counts / counts.sum()).tolist())
        edges = [
            levels[0] - 0.5,
            *((a + b) / 2 for a, b in zip(levels, levels[1:], strict=False)),
            levels[-1] + 0.5,
        ]
    else:
        points, weights = np.unique(np.quantile(finite, QUANTILES), return_counts=True)
        background = Background(
            values=points.tolist(), weights=(weights / weights.sum()).tolist()
        )
        edges = drift_edges(finite)
    counts = (
        np.histogram(finite, bins=edges)[0]
        if len(edges) > 1
        else np.array([finite.size])
    )
    return {
        "min": float(low),
        "p01": float(p01),
        "reference": float(np.round(median) if levels else median),
        "p99": float(p99),
        "max": float(high),
        "integer": bool(np.all(np.mod(finite, 1) == 0)),
        "levels": levels,
        "background": background,
        "drift_edges": list(map(float, edges)),
        "drift_share": (counts / max(counts.sum(), 1)).tolist(),
    }


def _category_entry(values: pd.Series, feat: Feature) -> dict:
    shares = values.astype("string").value_counts(normalize=True, dropna=True)
    kept = shares.index[:MAX_CATEGORIES].tolist()
    top = shares.head(TOP_BACKGROUND)
    return {
        "categories": category_order(kept, feat.kind, feat.order),
        "reference": str(shares.index[0]),
        "background": Background(
            values=top.index.tolist(), weights=(top / top.sum()).tolist()
        ),
        "category_share": {str(k): float(v) for k, v in shares.items()},
    }


def feature_schema(spec: DatasetSpec, X: pd.DataFrame) -> list[FeatureEntry]:
    """Per feature: kind, label, unit, and ranges, levels or categories seen in training."""
    schema = []
    for feat in spec.features:
        values = X[feat.column]
        entry = (
            _category_entry(values, feat) if feat.is_category else _number_entry(values)
        )
        schema.append(
            FeatureEntry(
                column=feat.column,
                kind="category" if feat.is_category else "number",
                label=spec.label(feat.column),
                unit=feat.unit,
                missing_share=float(values.isna().mean()),
                **entry,
            )
        )
    return schema
