"""The figures of one answer (why, what if, every class's probability): what the Predict
page draws and what its report prints, from the same builders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components import class_figures
from components import model_figures as figures
from components.theme import Figure, empty
from model.service import OUTPUT


def effects_figure(effects: pd.DataFrame, output: str, service) -> Figure:
    """The 'why' chart for one output (a class's probability, p(positive) or the value)."""
    effect = effects[output].to_numpy(dtype=float)
    order = np.abs(effect).argsort(kind="stable")[::-1]
    title = None if output == OUTPUT else f"Why: effects on the probability of {output}"
    return figures.effects(
        effects["feature"].to_numpy()[order].tolist(),
        effects["value"].to_numpy()[order].tolist(),
        effect[order],
        service.classification,
        title=title,
    )


def whatif_figure(answer, service) -> Figure:
    """The answer as the what-if feature moves (one curve per class for multi-class)."""
    feature = service.whatif_feature
    if not feature:
        return empty("What if", "Not set")
    label = service.schema[feature].label
    if service.kind == "multiclass":
        return class_figures.whatif_classes(
            answer.whatif, service.classes, answer.inputs[feature], label
        )
    return figures.whatif(
        answer.whatif,
        answer.inputs[feature],
        answer.value,
        label,
        service.classification,
        service.card.outcome,
    )


def answer_figures(answer, service) -> list[Figure]:
    """Every chart of an answer, in the page's order (the most likely class's effects)."""
    if service.kind != "multiclass":
        return [
            effects_figure(answer.effects, OUTPUT, service),
            whatif_figure(answer, service),
        ]
    return [
        class_figures.class_probabilities(answer.probabilities),
        effects_figure(answer.effects, answer.label, service),
        whatif_figure(answer, service),
    ]
