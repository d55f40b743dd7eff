"""Train a model version for a dataset spec, with progress, and register it.

python -m model.train [--spec data/specs/flights.toml] [--no-promote] [--max-iter 250]
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import time
from collections.abc import Callable

import joblib
import numpy as np
import pandas as pd
import sklearn

from config import Settings
from data.ingest import ingest, processed_path
from data.spec import DatasetSpec, load_spec
from model import evaluate
from model.pipeline import (
    DEFAULT_PARAMS,
    build_baseline,
    build_pipeline,
    predict_values,
)
from model.registry import Registry
from model.row_scores import cache_dir, row_scores
from model.schema import feature_schema
from model.service import ModelService


def registry_for(settings: Settings, spec: DatasetSpec) -> Registry:
    return Registry(settings.artifacts_dir / spec.name)


def load_processed(
    settings: Settings, spec: DatasetSpec, progress=print, build: bool = True
) -> pd.DataFrame:
    """The processed frame, built from the source first if it is missing and `build` allows."""
    path = processed_path(settings, spec)
    if not path.is_file():
        if not build:
            raise FileNotFoundError(
                f"no processed data at {path}; run `python -m data.ingest` "
                "(or start with FLIGHTDECK_AUTO_BUILD=1)"
            )
        ingest(settings, spec, progress=progress)
    return pd.read_parquet(path)


def split(frame: pd.DataFrame, spec: DatasetSpec) -> dict[str, pd.DataFrame]:
    """Time-based train/valid/holdout when the spec has one; else a seeded 70/15/15 split."""
    frame = frame[np.isfinite(frame[spec.target].to_numpy(float))]
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


def _xy(part: pd.DataFrame, spec: DatasetSpec):
    return part[[f.column for f in spec.features]], part[spec.target].to_numpy(float)


def _evaluate(models: dict, parts: dict, spec: DatasetSpec) -> dict:
    out = {}
    for name, estimator in models.items():
        out[name] = {}
        for part_name in ("valid", "holdout"):
            X, y = _xy(parts[part_name], spec)
            out[name][part_name] = evaluate.score_metrics(
                y,
                predict_values(estimator, X, spec.is_classification),
                spec.is_classification,
            )
    return out


def _summary(frame: pd.DataFrame, parts: dict, spec: DatasetSpec) -> dict:
    summary = {
        "rows": int(len(frame)),
        "fingerprint": data_fingerprint(frame),
        "split": {},
    }
    for name, part in parts.items():
        entry = {"rows": int(len(part)), "target_mean": float(part[spec.target].mean())}
        if spec.time_column:
            entry["from"] = str(part[spec.time_column].min().date())
            entry["to"] = str(part[spec.time_column].max().date())
        summary["split"][name] = entry
    return summary


def build_card(spec, frame, parts, models, params, progress) -> dict:
    progress("[train] scoring validation and holdout")
    metrics = _evaluate(models, parts, spec)
    X, y = _xy(parts["holdout"], spec)
    pred = predict_values(models["model"], X, spec.is_classification)
    curves = (
        evaluate.classification_curves(y, pred)
        if spec.is_classification
        else evaluate.regression_curves(y, pred)
    )
    progress("[train] permutation importance on a holdout sample")
    X_train, _ = _xy(parts["train"], spec)
    return {
        "dataset": {
            "name": spec.name,
            "title": spec.title,
            "question": spec.question,
            **_summary(frame, parts, spec),
        },
        "task": spec.task,
        "target": spec.target,
        "positive_label": spec.positive_label,
        "model": {"estimator": type(models["model"][-1]).__name__, "params": params},
        "baseline": {"kind": "group mean", "columns": list(spec.baseline_columns)},
        "metrics": metrics,
        "curves": curves,
        "importance": evaluate.importance(
            models["model"], X, y, spec.is_classification
        ),
        "schema": feature_schema(spec, X_train),
        "libraries": {
            "scikit-learn": sklearn.__version__,
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "joblib": joblib.__version__,
            "python": platform.python_version(),
        },
    }


def train(
    settings: Settings,
    spec: DatasetSpec,
    frame: pd.DataFrame | None = None,
    params: dict | None = None,
    promote: bool = True,
    progress: Callable[[str], None] = print,
) -> str:
    """Fit model and baseline, write a version with its card, and (by default) make it champion."""
    started = time.perf_counter()
    from_file = frame is None
    frame = load_processed(settings, spec, progress) if from_file else frame
    parts = split(frame, spec)
    sizes = ", ".join(f"{k} {len(v):,}" for k, v in parts.items())
    progress(f"[train] {spec.name}: {sizes} rows")
    params = {**DEFAULT_PARAMS, **(params or {})}
    X, y = _xy(parts["train"], spec)
    baseline = build_baseline(spec).fit(X, y)
    progress(
        f"[train] fitting {params['max_iter']} boosting rounds on {len(X):,} rows …"
    )
    fit_started = time.perf_counter()
    pipeline = build_pipeline(spec, params).fit(X, y)
    progress(f"[train] fitted in {time.perf_counter() - fit_started:.1f}s")
    card = build_card(
        spec, frame, parts, {"model": pipeline, "baseline": baseline}, params, progress
    )
    registry = registry_for(settings, spec)
    version = registry.save(pipeline, card)
    if promote:
        registry.set_alias("champion", version)
    if from_file:
        progress("[train] scoring every row for the dashboards")
        service = ModelService(pipeline, registry.card(version))
        row_scores(
            service,
            frame,
            processed_path(settings, spec),
            cache_dir(settings.home, spec.name),
        )
    headline = card["metrics"]["model"]["holdout"]
    progress(
        f"[train] saved {version} ({'champion' if promote else 'not promoted'}); holdout "
        + ", ".join(f"{k} {v:.4g}" for k, v in headline.items() if k != "rows")
        + f"; total {time.perf_counter() - started:.1f}s"
    )
    return version


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train and register a model version.")
    parser.add_argument(
        "--spec", help="spec TOML (default: FLIGHTDECK_SPEC or flights)"
    )
    parser.add_argument(
        "--no-promote", action="store_true", help="do not make it the champion"
    )
    parser.add_argument("--max-iter", type=int, help="boosting rounds")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    spec = load_spec(args.spec or settings.spec_path)
    params = {"max_iter": args.max_iter} if args.max_iter else None
    train(settings, spec, params=params, promote=not args.no_promote)


if __name__ == "__main__":
    main()
