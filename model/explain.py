"""Explaining an answer: the words of its band, and what each input does to it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.card import FeatureEntry


@dataclass(frozen=True)
class Band:
    """A range of probability with its words and colour (a Bootstrap colour name)."""

    label: str
    below: float | None
    color: str


def neutral_bands(base_rate: float) -> list[Band]:
    """Bands relative to the training rate, in words that judge nothing."""
    return [
        Band("Lower than usual", 0.8 * base_rate, "info"),
        Band("About usual", 1.5 * base_rate, "secondary"),
        Band("Higher than usual", None, "primary"),
    ]


def effects_frame(
    entries: list[FeatureEntry],
    clean: dict,
    scores: np.ndarray,
    spans: list[tuple[int, int]],
    outputs: list[str],
    primary: int = 0,
) -> pd.DataFrame:
    """Each feature's effect on each output, largest (on `primary`) first.

    The effect is this row's score (row 0 of `scores`) minus the weighted average score
    when that feature alone takes its training background values (rows `spans[i]`).
    """
    averages = np.vstack(
        [
            np.asarray(entry.background.weights) @ scores[a:b]
            for entry, (a, b) in zip(entries, spans, strict=False)
        ]
    )
    effects = scores[0] - averages  # one row per feature, one column per output
    order = np.argsort(-np.abs(effects[:, primary]), kind="stable")
    # Built once, in order, from arrays: this is on every what-if's path.
    columns = {
        "feature": [entries[i].label for i in order],
        "value": [clean[entries[i].column] for i in order],
    }
    for j, name in enumerate(outputs):
        columns[name] = effects[order, j]
    return pd.DataFrame(columns)
