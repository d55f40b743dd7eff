"""Train a model version for a dataset spec, with progress, and register it.

python -m model.train runs model/train_cli.py: a candidate judged by the gate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn

from config import Settings
from data.aliases import AliasStore
from data.db import Database
from data.ingest import ProcessedInfo, ingest, processed_path, read_processed
from data.spec import DatasetSpec
from data.target import target_numbers
from model import evaluate
from model.artifact_store import joined
from model.card import (
    BaselineInfo,
    DatasetInfo,
    Fingerprints,
    ModelCard,
    ModelInfo,
    Scores,
    SplitPart,
)
from model.pipeline import (
    build_baseline,
    class_order,
    fit_model,
    predict_values,
)
from model.reference import score_reference
from model.registry import Registry
from model.row_scores import cache_dir, row_scores
from model.schema import feature_schema
from model.service import ModelService


def registry_for(
    settings: Settings, spec: DatasetSpec, database: Database | None = None
) -> Registry:
    """The dataset's versions (a folder or an fsspec URL), aliases in the app's database."""
    database = database or Database(settings.database).migrate()
    root = joined(settings.artifacts_dir, spec.name)
    return Registry(root, AliasStore(database, spec.name))


def load_processed(
    settings: Settings, spec: DatasetSpec, progress=print, build: bool = True
) -> tuple[pd.DataFrame, ProcessedInfo]:
    """The processed frame and its info, built from the source first if missing and allowed."""
    return read_processed(processed_file(settings, spec, progress, build), spec)


def processed_file(
    settings: Settings, spec: DatasetSpec, progress=print, build: bool = True
) -> Path:
    """The processed file's path, built from the source first if missing and allowed."""
    path = processed_path(settings, spec)
    if not path.is_file():
        if not build:
            raise FileNotFoundError(
                f"no processed data at {path}; run `python -m data.ingest` "
                "(or start with FLIGHTDECK_AUTO_BUILD=1)"
            )
        ingest(settings, spec, progress=progress)
    return path


def split(frame: pd.DataFrame, spec: DatasetSpec) -> dict[str, pd.DataFrame]:
    """Time-based train/valid/holdout when the spec has one; else a seeded 70/15/15 split."""
    frame = frame[np.isfinite(target_numbers(frame[spec.target]))]
    if spec.train_end:
        stamps = frame[spec.time_column]
        train_end = pd.Timestamp(spec.train_end) + pd.Timedelta(days=1)
        valid_end = pd.Timestamp(spec.valid_end) + pd.Timedelta(days=1)
        parts = {
            "train": frame[stamps < train_end],
            "valid": frame[(stamps >= train_end) & (stamps < valid_end)],
            "holdout": frame[stamps >= valid_end],
        }
    else:
        order = np.random.default_rng(0).permutation(len(frame))
        cut1, cut2 = int(0.70 * len(frame)), int(0.85 * len(frame))
        parts = {
            "train": frame.iloc[order[:cut1]],
            "valid": frame.iloc[order[cut1:cut2]],
            "holdout": frame.iloc[order[cut2:]],
        }
    empty = [name for name, part in parts.items() if part.empty]
    if empty:
        raise ValueError(
            f"the split leaves no rows in {empty}; check the spec's [time] dates"
        )
    return parts


def data_fingerprint(frame: pd.DataFrame) -> str:
    return hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()


def features_of(part: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    return part[[f.column for f in spec.features]]


def fit_target(part: pd.DataFrame, spec: DatasetSpec) -> np.ndarray:
    """What estimators are fitted on: text labels, or the values for regression."""
    values = part[spec.target]
    if spec.is_classification:
        return values.astype(str).to_numpy(dtype=object)
    return values.to_numpy(float)


def kind_of(spec: DatasetSpec, info: ProcessedInfo) -> str:
    if not spec.is_classification:
        return "regression"
    return "binary" if len(info.classes) == 2 else "multiclass"


def _split_part(
    part: pd.DataFrame, spec: DatasetSpec, info: ProcessedInfo
) -> SplitPart:
    y = target_numbers(part[spec.target])
    mean, shares = float(np.mean(y)), {}
    if len(info.classes) > 2:
        counts = np.bincount(y.astype(int), minlength=len(info.classes)) / len(y)
        mean, shares = None, dict(zip(info.classes, counts.tolist(), strict=True))
    start = end = None
    if spec.time_column:
        start = str(part[spec.time_column].min().date())
        end = str(part[spec.time_column].max().date())
    return SplitPart(
        rows=len(part), target_mean=mean, class_shares=shares, start=start, end=end
    )


def dataset_info(frame, parts, spec: DatasetSpec, info: ProcessedInfo) -> DatasetInfo:
    return DatasetInfo(
        name=spec.name,
        title=spec.title or spec.name,
        question=spec.question,
        rows=len(frame),
        fingerprint=data_fingerprint(frame),
        split={name: _split_part(part, spec, info) for name, part in parts.items()},
    )


def outcome_name(spec: DatasetSpec, info: ProcessedInfo) -> str:
    if spec.is_classification and len(info.classes) == 2:
        return spec.target_.label or f"{spec.label(spec.target)} = {info.positive}"
    return spec.target_.label or spec.label(spec.target)


def libraries() -> dict[str, str]:
    return {
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
    }


def evaluate_models(models: dict, parts: dict, spec, info) -> tuple[dict, dict]:
    """Scores of each model on valid and holdout, and its predictions there, by part."""
    kind = kind_of(spec, info)
    scores, predictions = {}, {}
    for name, estimator in models.items():
        order = class_order(estimator, info.classes) if spec.is_classification else None
        result = {}
        for part_name in ("valid", "holdout"):
            part = parts[part_name]
            pred = predict_values(estimator, features_of(part, spec), order)
            y = target_numbers(part[spec.target])
            result[part_name] = evaluate.score_metrics(y, pred, kind)
            predictions.setdefault(name, {})[part_name] = pred
        scores[name] = Scores(**result)
    return scores, predictions


def build_card(spec, frame, parts, info, models, model_info, progress) -> ModelCard:
    """The card of a fitted pipeline: holdout metrics against the baseline, curves, schema."""
    progress("[train] scoring validation and holdout")
    kind = kind_of(spec, info)
    scores, predictions = evaluate_models(models, parts, spec, info)
    y = target_numbers(parts["holdout"][spec.target])
    pred = predictions["model"]["holdout"]
    progress("[train] permutation importance on a holdout sample")
    X_holdout = features_of(parts["holdout"], spec)
    return ModelCard(
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        task=spec.task,
        target=spec.target,
        outcome=outcome_name(spec, info),
        classes=info.classes,
        positive=info.positive,
        positive_how=info.positive_how,
        dataset=dataset_info(frame, parts, spec, info),
        fingerprints=Fingerprints(
            spec=spec.fingerprint("model"), source=info.source_fingerprint
        ),
        model=model_info,
        baseline=BaselineInfo(
            kind="class shares by group" if spec.is_classification else "mean by group",
            columns=list(spec.baseline_columns),
        )
        if "baseline" in models
        else None,
        metrics=scores,
        per_class=evaluate.per_class(y, pred, info.classes)
        if kind == "multiclass"
        else [],
        curves=evaluate.curves(y, pred, kind),
        importance=evaluate.importance(
            models["model"],
            X_holdout,
            fit_target(parts["holdout"], spec),
            spec.is_classification,
        ),
        features=feature_schema(spec, features_of(parts["train"], spec)),
        libraries=libraries(),
        monitor=score_reference(
            kind,
            target_numbers(parts["valid"][spec.target]),
            predictions["model"]["valid"],
            pred,
        ),
    )


@dataclass(frozen=True)
class Candidate:
    """A version just fitted and saved (no alias yet), with the data it was judged on."""

    version: str
    card: ModelCard
    pipeline: object
    frame: pd.DataFrame
    parts: dict[str, pd.DataFrame]
    registry: Registry


def fit_candidate(
    settings: Settings,
    spec: DatasetSpec,
    params: dict | None = None,
    progress: Callable[[str], None] = print,
    estimator: str | None = None,
) -> Candidate:
    """Fit model and baseline, and save a version with its card; no alias moves."""
    frame, info = load_processed(settings, spec, progress)
    parts = split(frame, spec)
    sizes = ", ".join(f"{k} {len(v):,}" for k, v in parts.items())
    progress(f"[train] {spec.name}: {sizes} rows")
    name = estimator or spec.model.estimator
    train_xy = features_of(parts["train"], spec), fit_target(parts["train"], spec)
    valid_xy = features_of(parts["valid"], spec), fit_target(parts["valid"], spec)
    baseline = build_baseline(spec).fit(*train_xy)
    progress(f"[train] fitting {name}, tuned on the validation split …")
    fit_started = time.perf_counter()
    pipeline, used = fit_model(spec, train_xy, valid_xy, name, params)
    progress(
        f"[train] fitted in {time.perf_counter() - fit_started:.1f}s "
        f"({', '.join(f'{k}={v}' for k, v in used.items())})"
    )
    card = build_card(
        spec,
        frame,
        parts,
        info,
        {"model": pipeline, "baseline": baseline},
        ModelInfo(estimator=name, params=used),
        progress,
    )
    registry = registry_for(settings, spec)
    version = registry.save(pipeline, card)
    return Candidate(version, registry.card(version), pipeline, frame, parts, registry)


def score_rows(settings: Settings, spec: DatasetSpec, candidate: Candidate, progress):
    """Cache the version's score of every row, which the dashboards show for the champion."""
    if candidate.card.kind == "multiclass":
        return
    progress("[train] scoring every row for the dashboards")
    row_scores(
        ModelService(candidate.pipeline, candidate.card),
        candidate.frame,
        processed_path(settings, spec),
        cache_dir(settings.home, spec.name),
    )


def headline(card: ModelCard) -> str:
    """The holdout metrics in one line."""
    return ", ".join(
        f"{k} {v:.4g}" for k, v in card.metrics["model"].holdout.items() if k != "rows"
    )


def train(
    settings: Settings,
    spec: DatasetSpec,
    params: dict | None = None,
    promote: bool = True,
    progress: Callable[[str], None] = print,
    estimator: str | None = None,
) -> str:
    """Fit and save a version and (by default) make it champion without a gate: the first
    build and a rebuild after the data or spec changed. `python -m model.train` gates."""
    started = time.perf_counter()
    candidate = fit_candidate(settings, spec, params, progress, estimator)
    if promote:
        candidate.registry.set_alias(
            "champion", candidate.version, "model.train", "trained"
        )
    score_rows(settings, spec, candidate, progress)
    progress(
        f"[train] saved {candidate.version} "
        f"({'champion' if promote else 'not promoted'}); holdout "
        f"{headline(candidate.card)}; total {time.perf_counter() - started:.1f}s"
    )
    return candidate.version


if __name__ == "__main__":
    from model.train_cli import main

    main()
