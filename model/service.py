"""ModelService: the model loaded once, inputs validated against its schema, batched predictions."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from data.db import first_line
from data.formats import plain
from data.inputs import BadInput, parse_number, shorten
from data.stores import new_request_id
from model.card import FeatureEntry, ModelCard
from model.direct import DirectPipeline, direct
from model.explain import Band, effects_frame, neutral_bands
from model.pipeline import class_order, predict_values
from model.registry import ModelLoadError, Registry

logger = logging.getLogger("flightdeck.predictions")


class PredictionNotLogged(RuntimeError):
    """The prediction log could not be written, so no answer is given."""

    def __init__(self, message: str, request_id: str | None = None):
        super().__init__(message)
        self.request_id = request_id


class InputError(ValueError):
    """The inputs cannot be scored; `problems` says why, one line per field."""

    def __init__(self, problems: list[str], fields: list[str] | None = None):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.fields = fields or []  # the features the problems are about, to mark them


@dataclass(frozen=True)
class Prediction:
    """One answer: the value, its label, why, and how it moves with the what-if feature.

    `effects` has the columns feature, value and one per output; `whatif` has value and one
    per output. The outputs are OUTPUT (binary: p(positive); regression: the value) or,
    for multi-class, each class's probability.
    """

    value: float
    label: str
    version: str
    warnings: list[str]
    effects: pd.DataFrame
    whatif: pd.DataFrame
    latency_ms: float = 0.0
    inputs: dict = field(default_factory=dict)
    request_id: str | None = None
    probabilities: dict[str, float] = field(default_factory=dict)
    color: str = "secondary"


OUTPUT = "prediction"


def _missing(value) -> bool:
    """None, an empty cell or NaN: how data (not a form) says a number is unknown."""
    return value is None or value == "" or (isinstance(value, float) and value != value)


class ModelService:
    """Wraps the champion pipeline and its card; never mutated after construction."""

    def __init__(
        self,
        pipeline,
        card: ModelCard,
        whatif_feature: str | None = None,
        log=None,
        threads: int | None = None,
        bands: list[Band] | None = None,
    ):
        self.pipeline = pipeline
        self.predictor = direct(
            pipeline
        )  # the same answers, without per-call preparation
        self.card = card
        self.log = log
        self.threads = threads
        self._pools = ThreadpoolController() if threads else None
        self.schema = {entry.column: entry for entry in card.features}
        self.columns = card.feature_columns
        self.kind = card.kind
        self.classification = card.task == "classification"
        self.classes = card.classes
        self.order = (
            class_order(pipeline, card.classes) if self.classification else None
        )
        self.outputs = card.classes if self.kind == "multiclass" else [OUTPUT]
        self.whatif_feature = whatif_feature
        train = card.dataset.split["train"]
        self.base_rate = float(train.target_mean or 0.0)
        self.bands = bands or neutral_bands(self.base_rate)

    @classmethod
    def from_registry(
        cls,
        registry: Registry,
        alias: str = "champion",
        whatif_feature=None,
        log=None,
        threads: int | None = None,
        bands: list[Band] | None = None,
    ) -> ModelService:
        version = registry.resolve(alias)
        if version is None:
            raise ModelLoadError(
                f"no '{alias}' model in {registry.root}; run `python -m model.train`"
            )
        pipeline, card = registry.load(version)
        return cls(pipeline, card, whatif_feature, log, threads, bands)

    @property
    def version(self) -> str:
        return self.card.version

    def defaults(self) -> dict:
        """Typical inputs (training median or most common value) to prefill a form."""
        return {c: e.reference for c, e in self.schema.items()}

    def validate(
        self, raw: dict, allow_missing: bool = False
    ) -> tuple[dict, list[str]]:
        """Check every field; return clean values and out-of-range warnings, or raise InputError.

        With `allow_missing` (rows from data, not from a person's form), a number may be
        missing when it was missing in training too: the model was fitted with such gaps.
        """
        if not isinstance(raw, dict):
            raise InputError(["inputs must be a mapping of feature to value"])
        clean, problems, warnings, fields = {}, [], [], []
        for column, entry in self.schema.items():
            value, label, before = raw.get(column), entry.label, len(problems)
            if (
                allow_missing
                and _missing(value)
                and entry.kind == "number"
                and entry.missing_share
            ):
                clean[column] = None  # a gap the model was fitted with (numbers only)
            elif value is None or value == "":
                problems.append(f"{label}: a value is required")
            elif entry.kind == "category":
                if not isinstance(value, str) or value not in entry.categories:
                    problems.append(f"{label}: '{shorten(value)}' is not a known value")
                else:
                    clean[column] = value
            else:
                clean[column] = self._number(value, entry, problems, warnings)
            if len(problems) > before:
                fields.append(column)
        unknown = sorted(shorten(key) for key in raw if key not in self.schema)
        if unknown:
            problems.append(f"unknown field(s): {', '.join(unknown[:5])}")
        if problems:
            raise InputError(problems, fields)
        return clean, warnings

    @staticmethod
    def _number(
        value, entry: FeatureEntry, problems: list[str], warnings: list[str]
    ) -> float | None:
        label = entry.label
        try:
            number = parse_number(value, label)
        except BadInput as exc:
            problems.append(str(exc))
            return None
        if number < entry.min or number > entry.max:
            warnings.append(
                f"{label} = {plain(number)} is outside the training range "
                f"{plain(entry.min)}–{plain(entry.max)}; the model is extrapolating"
            )
        elif entry.levels and number not in entry.levels:
            warnings.append(
                f"{label} = {plain(number)} was never seen in training "
                f"(it took {', '.join(map(plain, entry.levels[:12]))})"
            )
        return number

    def _dtype(self, column: str):
        """The dtype the pipeline was fitted on: objects for categories, float64 otherwise."""
        return object if self.schema[column].kind == "category" else np.float64

    def frame(self, rows: list[dict]) -> pd.DataFrame:
        """A frame of validated rows with the training dtypes."""
        return pd.DataFrame(self.columns_of(rows), columns=self.columns)

    def columns_of(self, rows: list[dict]) -> dict[str, np.ndarray]:
        """Validated rows as one array per column, with the training dtypes: what scores()
        takes without a DataFrame, which costs more than the trees for a row or two."""
        return {
            c: np.array([r[c] for r in rows], dtype=self._dtype(c))
            for c in self.columns
        }

    def _batch(self, clean: dict, variations: list[tuple[str, list]]):
        """The row, then the row with one column swept through each value list, as columns.

        Built column by column (not from row dicts): this is the what-if hot path.
        """
        n = 1 + sum(len(values) for _, values in variations)
        columns = {c: np.full(n, clean[c], dtype=self._dtype(c)) for c in self.columns}
        spans, start = [], 1
        for column, values in variations:
            columns[column][start : start + len(values)] = values
            spans.append((start, start + len(values)))
            start += len(values)
        return columns, spans

    def scoring_threads(self):
        """Cap OpenMP threads for one request's scoring. The cap is per thread (a threaded
        server handles each request on a new one), so it is set around the call itself."""
        if self._pools is None:
            return contextlib.nullcontext()
        return self._pools.limit(limits=self.threads, user_api="openmp")

    def scores(self, frame: pd.DataFrame | dict[str, np.ndarray]) -> np.ndarray:
        """One column per output (see Prediction), one row per row of `frame`: a DataFrame
        or its columns (columns_of)."""
        if isinstance(frame, pd.DataFrame):
            frame = frame[self.columns]
        elif not isinstance(self.predictor, DirectPipeline):
            frame = pd.DataFrame(frame, columns=self.columns)
        values = predict_values(self.predictor, frame, self.order)
        if self.kind == "binary":
            return values[:, 1:2]
        return values if values.ndim == 2 else values[:, None]

    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """p(positive) or the predicted value per row (multi-class: the probability matrix)."""
        values = self.scores(frame)
        return values[:, 0] if values.shape[1] == 1 else values

    def band(self, value: float) -> Band:
        for band in self.bands:
            if band.below is None or value < band.below:
                return band
        return self.bands[-1]

    def whatif_values(self) -> list[float]:
        entry = self.schema[self.whatif_feature]
        if entry.levels:
            return list(entry.levels)
        low, high = entry.min, entry.max
        if entry.integer and high - low <= 48:
            return [float(v) for v in range(int(low), int(high) + 1)]
        return np.linspace(low, high, 25).tolist()

    def variations(self) -> tuple[list[tuple[str, list]], list, bool]:
        """What one prediction scores besides the row: each feature over its background,
        then the what-if sweep, unless it is that feature's background (scored once)."""
        variations = [(c, self.schema[c].background.values) for c in self.columns]
        sweep = self.whatif_values() if self.whatif_feature else []
        shared = (
            bool(sweep)
            and sweep == variations[self.columns.index(self.whatif_feature)][1]
        )
        if sweep and not shared:
            variations.append((self.whatif_feature, sweep))
        return variations, sweep, shared

    def predict(
        self,
        raw: dict,
        source: str = "whatif",
        user: str | None = None,
        request_id: str | None = None,
        log_extra: dict | None = None,
        event_time=None,
        event_key: str | None = None,
    ) -> Prediction:
        """Validate, then score the row, its per-feature effects and its what-if curve in one call.

        `log_extra` adds columns to the log row (the shadowing challenger, a fallback's reason).
        A feature's effect is this prediction minus the average prediction when that feature
        alone takes its training values (the others held at this row's values).
        """
        started = time.perf_counter()
        clean, warnings = self.validate(raw)
        variations, sweep, shared = self.variations()
        batch, spans = self._batch(clean, variations)
        with self.scoring_threads():
            scores = self.scores(batch)
        effects = self._effects(clean, scores, spans)
        if shared:
            start, end = spans[self.columns.index(self.whatif_feature)]
        else:
            start, end = spans[-1] if sweep else (len(scores), len(scores))
        whatif = pd.DataFrame(
            {"value": sweep}
            | {name: scores[start:end, j] for j, name in enumerate(self.outputs)}
        )
        value, label, color, probabilities = self.answer(scores[0])
        latency_ms = (time.perf_counter() - started) * 1000
        extra = {
            **(log_extra or {}),
            "event_time": event_time,
            "event_key": event_key,
            "probabilities": probabilities if self.kind == "multiclass" else None,
        }
        request_id = self._record(
            clean,
            value,
            label,
            latency_ms,
            source,
            user,
            request_id or new_request_id(),
            extra,
        )
        return Prediction(
            value,
            label,
            self.version,
            warnings,
            effects,
            whatif,
            latency_ms,
            clean,
            request_id,
            probabilities,
            color,
        )

    def answers(self, rows: list[dict]) -> list[tuple[float, str]]:
        """The headline value and label of each validated row (shadow scoring, batched)."""
        with self.scoring_threads():
            scores = self.scores(self.columns_of(rows))
        return [self.answer(row)[:2] for row in scores]

    def answer(self, row: np.ndarray) -> tuple[float, str, str, dict[str, float]]:
        """The headline value, its label and colour, and the class probabilities."""
        if self.kind == "regression":
            return float(row[0]), "", "secondary", {}
        if self.kind == "binary":
            p = float(row[0])
            band = self.band(p)
            negative, positive = self.classes
            return p, band.label, band.color, {positive: p, negative: 1 - p}
        best = int(np.argmax(row))
        probabilities = dict(zip(self.classes, map(float, row), strict=True))
        return float(row[best]), self.classes[best], "primary", probabilities

    def _effects(self, clean: dict, scores: np.ndarray, spans) -> pd.DataFrame:
        """Per feature and output: this row's score minus its average over the background."""
        primary = int(np.argmax(scores[0])) if self.kind == "multiclass" else 0
        return effects_frame(
            [self.schema[c] for c in self.columns],
            clean,
            scores,
            spans,
            self.outputs,
            primary,
        )

    def _record(
        self,
        clean: dict,
        value: float,
        label: str,
        latency_ms: float,
        source: str,
        user,
        request_id,
        extra: dict,
    ) -> str | None:
        """Log the prediction before it is returned; no log, no answer."""
        if self.log is None:
            return None
        try:
            return self.log.record(
                source=source,
                user=user,
                model_version=self.version,
                model_sha256=self.card.sha256,
                inputs=clean,
                output=value,
                output_label=label or None,
                latency_ms=latency_ms,
                request_id=request_id,
                card=self.card,
                **extra,
            )
        except Exception as exc:  # any database failure: refuse to answer unlogged
            reason = first_line(exc)
            logger.error("prediction %s refused: not logged: %s", request_id, reason)
            raise PredictionNotLogged(
                f"the prediction could not be logged: {reason}", request_id
            ) from exc
