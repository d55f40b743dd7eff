"""Fit every estimator a spec could choose and compare them on the validation split.

python -m model.train --compare [--spec SPEC]    # registers nothing
"""

from __future__ import annotations

import time

from config import Settings
from data.spec import ESTIMATORS, DatasetSpec
from data.target import target_numbers
from model import evaluate
from model.pipeline import ESTIMATOR_CLASSES, class_order, fit_model, predict_values
from model.train import features_of, fit_target, kind_of, load_processed, split


def candidates(spec: DatasetSpec) -> list[str]:
    """The estimators that can learn this task (logistic regression cannot predict numbers)."""
    return [n for n in ESTIMATORS if (n, spec.is_classification) in ESTIMATOR_CLASSES]


def compare(settings: Settings, spec: DatasetSpec, progress=print) -> dict[str, dict]:
    """Validation metrics per estimator, each fitted as training would; prints the winner."""
    frame, info = load_processed(settings, spec, progress)
    parts = split(frame, spec)
    kind = kind_of(spec, info)
    train = features_of(parts["train"], spec), fit_target(parts["train"], spec)
    valid = features_of(parts["valid"], spec), fit_target(parts["valid"], spec)
    y_valid = target_numbers(parts["valid"][spec.target])
    results = {}
    for name in candidates(spec):
        started = time.perf_counter()
        pipeline, used = fit_model(spec, train, valid, name)
        order = class_order(pipeline, info.classes) if spec.is_classification else None
        pred = predict_values(pipeline, valid[0], order)
        results[name] = evaluate.score_metrics(y_valid, pred, kind)
        progress(
            f"[compare] {name}: fitted in {time.perf_counter() - started:.1f}s "
            f"({', '.join(f'{k}={v}' for k, v in used.items())})"
        )
    progress(verdict(results, kind, spec.model.estimator))
    return results


def verdict(results: dict[str, dict], kind: str, current: str) -> str:
    """Which estimator won on the validation split, and by how much."""
    metric, higher = evaluate.PRIMARY[kind]
    scored = {n: r[metric] for n, r in results.items() if metric in r}
    lines = [f"  {n}: {metric} {v:.4f}" for n, v in scored.items()]
    if len(scored) < 2:
        return "\n".join([*lines, f"[compare] only {', '.join(scored)} applies here"])
    ranked = sorted(scored, key=scored.get, reverse=higher)
    best, runner = ranked[0], ranked[1]
    margin = abs(scored[best] - scored[runner])
    note = (
        "the spec's choice" if best == current else f'set [model] estimator = "{best}"'
    )
    return "\n".join(
        [
            f"[compare] validation {metric} ({'higher' if higher else 'lower'} is better):",
            *lines,
            f"[compare] {best} wins by {margin:.4f} {metric} ({note})",
        ]
    )
