"""Register a team's own fitted scikit-learn pipeline as a model version, with our card.

python -m model.register MODEL.joblib --spec SPEC [--no-promote]

The pipeline must take the spec's raw feature columns: `predict_proba`, with classes_
named like the target's labels (see model.train.fit_target), for classification;
`predict` for regression. It is checked on a sample, then scored and carded exactly as
`python -m model.train` cards its own models, and saved as a new version.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from config import Settings
from data.ingest import ProcessedInfo, processed_path
from data.spec import DatasetSpec, load_spec
from data.spec_check import check_spec
from model.card import ModelCard, ModelInfo
from model.pipeline import build_baseline, class_order
from model.registry import ModelLoadError
from model.row_scores import cache_dir, row_scores
from model.service import ModelService
from model.train import (
    build_card,
    features_of,
    fit_target,
    load_processed,
    registry_for,
    split,
)

SAMPLE_ROWS = 200
MAX_PARAMS = 20


class RegisterError(ValueError):
    """The file cannot be registered; the message says why, in one line."""


def first_line(exc: BaseException) -> str:
    """The exception's type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__


def load_pipeline(path: Path, progress: Callable[[str], None] = print):
    """Unpickle the file with joblib, after a warning; refuse what does not load."""
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"no file at {path}")
    progress(
        f"[register] WARNING: loading {path.name} runs any code inside the pickle; "
        "register only files from people you trust"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            return joblib.load(path)
        except InconsistentVersionWarning as exc:
            raise RegisterError(
                f"{path.name} was pickled with scikit-learn "
                f"{exc.original_sklearn_version}, this is {sklearn.__version__}; "
                "refit and save it with this version"
            ) from None
        except Exception as exc:  # a pickle can raise anything while it loads
            raise RegisterError(
                f"{path.name} is not a joblib/pickle file this Python can load "
                f"({first_line(exc)})"
            ) from None


def check_columns(pipeline, columns: list[str]) -> None:
    """Refuse a pipeline fitted on other columns than the spec's features."""
    names = getattr(pipeline, "feature_names_in_", None)
    if names is not None:
        names = [str(n) for n in names]
        missing = [c for c in columns if c not in names]
        unknown = [n for n in names if n not in columns]
        if missing or unknown:
            raise RegisterError(
                f"the pipeline was fitted on {len(names)} column(s), not the spec's "
                f"{len(columns)} features"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; not spec features: {', '.join(unknown)}" if unknown else "")
            )
    count = getattr(pipeline, "n_features_in_", None)
    if isinstance(count, int | np.integer) and count != len(columns):
        raise RegisterError(
            f"the pipeline was fitted on {count} column(s), not the spec's "
            f"{len(columns)} features"
        )


def check_classes(pipeline, classes: list[str]) -> None:
    """Refuse a classifier whose classes_ do not name every class of the data."""
    if getattr(pipeline, "classes_", None) is None:
        raise RegisterError(
            "the pipeline has no classes_, so its probabilities cannot be matched "
            "to the data's classes"
        )
    order = class_order(pipeline, classes)
    missing = [c for c, column in zip(classes, order, strict=True) if column < 0]
    if missing:
        found = ", ".join(repr(str(c)) for c in list(pipeline.classes_)[:10])
        raise RegisterError(
            f"the pipeline's classes_ ({found}) do not include "
            f"{', '.join(map(repr, missing))} "
            f"of the data's classes ({', '.join(map(repr, classes))}); fit it on "
            "the target's text labels (model.train.fit_target)"
        )


def sample_scores(pipeline, method: str, sample: pd.DataFrame) -> np.ndarray:
    """`method` on the sample as floats; refuse when it raises or gives no numbers."""
    try:
        out = getattr(pipeline, method)(sample)
    except Exception as exc:  # the team's code: any failure is a refusal
        raise RegisterError(
            f"{method} on {len(sample)} rows of the spec's features failed: "
            f"{first_line(exc)}"
        ) from None
    try:
        return np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        raise RegisterError(f"{method} returned values that are not numbers") from None


def check_pipeline(pipeline, spec: DatasetSpec, info: ProcessedInfo, sample) -> None:
    """Refuse a pipeline that cannot score the spec's features as the card needs."""
    method = "predict_proba" if spec.is_classification else "predict"
    if not callable(getattr(pipeline, method, None)):
        raise RegisterError(
            f"a {type(pipeline).__name__} has no {method}, which a {spec.task} "
            "model needs"
        )
    check_columns(pipeline, list(sample.columns))
    values = sample_scores(pipeline, method, sample)
    expected = (len(sample),)
    if spec.is_classification:
        check_classes(pipeline, info.classes)
        expected = (len(sample), len(pipeline.classes_))
    if values.shape != expected:
        raise RegisterError(f"{method} returned shape {values.shape}, not {expected}")
    bad = int(np.size(values) - np.isfinite(values).sum())
    if bad:
        raise RegisterError(
            f"{method} returned {bad} non-finite value(s) (NaN or inf) "
            f"on {len(sample)} rows"
        )


def final_step(pipeline):
    """The estimator at the end of a Pipeline, or the object itself."""
    steps = getattr(pipeline, "steps", None)
    return steps[-1][1] if isinstance(steps, list) and steps else pipeline


def simple_params(estimator) -> dict[str, int | float | str | bool | None]:
    """The estimator's own params that are plain numbers, text, flags or None."""
    try:
        params = estimator.get_params(deep=False)
    except Exception:  # not a scikit-learn estimator: no params to show
        return {}
    simple = {}
    for key, value in sorted(params.items()):
        if isinstance(value, np.generic):
            value = value.item()
        plain = value is None or isinstance(value, bool | int)
        plain = plain or (isinstance(value, str) and len(value) <= 100)
        if plain or (isinstance(value, float) and math.isfinite(value)):
            simple[str(key)] = value
    return dict(list(simple.items())[:MAX_PARAMS])


def card_for(pipeline, spec, frame, parts, info, progress) -> ModelCard:
    """The card, exactly as train builds it: holdout metrics against the baseline."""
    train_x = features_of(parts["train"], spec)
    baseline = build_baseline(spec).fit(train_x, fit_target(parts["train"], spec))
    final = final_step(pipeline)
    model_info = ModelInfo(
        estimator=type(final).__name__, params=simple_params(final), origin="registered"
    )
    models = {"model": pipeline, "baseline": baseline}
    try:
        return build_card(spec, frame, parts, info, models, model_info, progress)
    except Exception as exc:  # the team's code on the full splits
        raise RegisterError(
            f"scoring the validation and holdout splits failed: {first_line(exc)}"
        ) from None


def score_every_row(settings, spec, frame, pipeline, card: ModelCard, progress) -> None:
    """Cache the score of every row, as the dashboards need; refuse when that fails."""
    if card.kind == "multiclass":
        return
    progress("[register] scoring every row for the dashboards")
    try:
        scores = row_scores(
            ModelService(pipeline, card),
            frame,
            processed_path(settings, spec),
            cache_dir(settings.home, spec.name),
        )
    except Exception as exc:  # the team's code on rows the sample did not have
        raise RegisterError(
            f"saved {card.version} but did not promote it: scoring every row "
            f"failed: {first_line(exc)}"
        ) from None
    if not np.isfinite(scores).all():
        raise RegisterError(
            f"saved {card.version} but did not promote it: some rows score NaN or inf"
        )


def holdout_line(card: ModelCard, name: str) -> str:
    """The holdout metrics of one of the card's models, as `auc 0.68, ...`."""
    holdout = card.metrics[name].holdout
    return ", ".join(f"{k} {v:.4g}" for k, v in holdout.items() if k != "rows")


def summary(version: str, card: ModelCard, promote: bool) -> str:
    """One line: the version, whether it is champion, its and the baseline's holdout."""
    line = f"[register] saved {version} ({'champion' if promote else 'not promoted'})"
    line += f"; holdout {holdout_line(card, 'model')}"
    if "baseline" in card.metrics:
        line += f"; baseline {holdout_line(card, 'baseline')}"
    return line


def register(
    settings: Settings,
    spec: DatasetSpec | str | Path,
    path: str | Path,
    promote: bool = True,
    progress: Callable[[str], None] = print,
) -> str:
    """Check a team's fitted pipeline, card it like a trained one, save a version."""
    spec = spec if isinstance(spec, DatasetSpec) else load_spec(spec)
    if not Path(path).is_file():
        raise RegisterError(f"no file at {path}")
    check_spec(spec)
    frame, info = load_processed(settings, spec, progress)
    parts = split(frame, spec)
    pipeline = load_pipeline(Path(path), progress)
    sample = features_of(frame, spec).sample(
        min(SAMPLE_ROWS, len(frame)), random_state=0
    )
    check_pipeline(pipeline, spec, info, sample)
    progress(f"[register] {type(final_step(pipeline)).__name__} passes the checks")
    card = card_for(pipeline, spec, frame, parts, info, progress)
    registry = registry_for(settings, spec)
    version = registry.save(pipeline, card)
    score_every_row(settings, spec, frame, pipeline, registry.card(version), progress)
    if promote:
        registry.set_alias("champion", version, "model.register", "registered")
    progress(summary(version, card, promote))
    return version


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m model.register",
        description="Register a team's own fitted scikit-learn pipeline as a version.",
    )
    parser.add_argument(
        "model", type=Path, help="the fitted pipeline, saved with joblib"
    )
    parser.add_argument(
        "--spec", required=True, help="the dataset spec TOML it predicts"
    )
    parser.add_argument(
        "--no-promote", action="store_true", help="do not make it champion"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        register(settings, load_spec(args.spec), args.model, not args.no_promote)
    except (ValueError, OSError, ModelLoadError) as exc:  # SpecError is a ValueError
        print(f"model.register: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
