"""Targets as users bring them: strings, booleans or numbers, two classes or many.

Labels become text ('Yes', 'True', '1'); classes are put in model order once, at ingest,
and every later step reads that order from the processed data or the model card.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.spec import DatasetSpec
from data.spec_errors import SpecError, nearest

MAX_CLASSES = 50
YES = {"1", "true", "yes", "y", "positive", "pos", "t"}
NO = {"0", "false", "no", "n", "negative", "neg", "f"}


def _text(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip()


def label_text(values: pd.Series) -> pd.Series:
    """Target values as text labels (1.0 -> '1', True -> 'True', ' yes ' -> 'yes'); NA kept."""
    present = values.notna()
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    if present.any():
        uniques = pd.unique(values[present])
        mapping = {u: _text(u) for u in uniques}
        out[present] = values[present].map(mapping).astype("string")
    return out.mask(out.eq("").fillna(False))


def natural_order(labels) -> list[str]:
    """Numbers in numeric order, otherwise case-insensitive alphabetical."""
    labels = [str(v) for v in labels]
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels, key=lambda v: (v.casefold(), v))


def _positive(spec: DatasetSpec, labels: pd.Series, seen: list[str]) -> tuple[str, str]:
    """The positive class of a binary target, and how it was chosen."""
    wanted = spec.target_.positive
    column = spec.target
    if wanted is not None:
        text = _text(wanted)
        folded = {s.casefold(): s for s in seen}
        if text in seen or text.casefold() in folded:
            return folded.get(text.casefold(), text), "set in the spec"
        raise SpecError(
            spec.file,
            [
                f"[target] positive: {wanted!r} is not a value of '{column}' "
                f"(its values: {', '.join(map(repr, seen))}){nearest(text, seen)}"
            ],
        )
    words = [s.casefold() for s in seen]
    if words[0] in NO and words[1] in YES:
        return seen[1], f"'{seen[1]}' reads as yes"
    if words[1] in NO and words[0] in YES:
        return seen[0], f"'{seen[0]}' reads as yes"
    counts = labels.value_counts()
    rarer = min(seen, key=lambda s: (counts.get(s, 0), -seen.index(s)))
    return rarer, f"'{rarer}' is the less common class"


def classes_of(
    spec: DatasetSpec, labels: pd.Series
) -> tuple[list[str], str | None, str]:
    """Classes in model order (binary: negative, positive), the positive class, and why."""
    seen = natural_order(labels.dropna().unique())
    column = spec.target
    if len(seen) < 2:
        raise SpecError(
            spec.file,
            [f"[target] column '{column}' needs two or more classes; it has {seen}"],
        )
    if len(seen) > MAX_CLASSES:
        raise SpecError(
            spec.file,
            [
                f"[target] column '{column}' has {len(seen):,} distinct values, too many "
                f"classes (at most {MAX_CLASSES}); for a number to predict, "
                'set task = "regression"'
            ],
        )
    if len(seen) == 2:
        positive, how = _positive(spec, labels, seen)
        return [s for s in seen if s != positive] + [positive], positive, how
    if spec.target_.positive is not None:
        raise SpecError(
            spec.file,
            [
                f"[target] positive is for two classes; '{column}' has {len(seen)} "
                f"({', '.join(seen[:8])}); remove it"
            ],
        )
    return seen, None, f"{len(seen)} classes"


def encode(labels: pd.Series, classes: list[str]) -> pd.Series:
    """Text labels as a categorical in model order (codes are the model's classes)."""
    return pd.Categorical(labels, categories=classes)


def target_numbers(values: pd.Series) -> np.ndarray:
    """The target as floats: class codes (NaN when missing) or the regression values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.float64)
        codes[codes < 0] = np.nan
        return codes
    return values.to_numpy(np.float64, na_value=np.nan)
