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
from data.inputs import BadInput, parse_number, shorten
from data.stores import new_request_id
from model.pipeline import predict_values
from model.registry import ModelLoadError, Registry

logger = logging.getLogger("flightdeck.predictions")


class PredictionNotLogged(RuntimeError):
    """The prediction log could not be written, so no answer is given."""

    def __init__(self, message: str, request_id: str | None = None):
        super().__init__(message)
        self.request_id = request_id


class InputError(ValueError):
    """The inputs cannot be scored; `problems` says why, one line per field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Prediction:
    """One answer: the value, its band, why, and how it moves with the what-if feature."""

    value: float
    band: str
    version: str
    warnings: list[str]
    effects: pd.DataFrame
    whatif: pd.DataFrame
    latency_ms: float = 0.0
    inputs: dict = field(default_factory=dict)
    request_id: str | None = None


def _background(entry: dict, top: int = 8) -> tuple[list, np.ndarray]:
    """A few values a feature takes in training, with their shares, to average effects over."""
    if entry["kind"] == "category":
        shares = sorted(entry["drift"]["share"].items(), key=lambda kv: -kv[1])[:top]
        values, weights = [k for k, _ in shares], np.array([w for _, w in shares])
    else:
        edges = np.asarray(entry["drift"]["edges"])
        values = (
            ((edges[:-1] + edges[1:]) / 2).tolist() if edges.size > 1 else [edges[0]]
        )
        weights = np.asarray(entry["drift"]["share"][: len(values)], dtype=float)
    return values, weights / weights.sum()


class ModelService:
    """Wraps the champion pipeline and its card; never mutated after construction."""

    def __init__(
        self,
        pipeline,
        card: dict,
        whatif_feature: str | None = None,
        log=None,
        threads: int | None = None,
    ):
        self.pipeline = pipeline
        self.card = card
        self.log = log
        self.threads = threads
        self._pools = ThreadpoolController() if threads else None
        self.schema = {entry["column"]: entry for entry in card["schema"]}
        self.columns = [entry["column"] for entry in card["schema"]]
        self.classification = card["task"] == "classification"
        self.whatif_feature = whatif_feature
        train = card["dataset"]["split"]["train"]
        self.base_rate = float(train["target_mean"])
        self.background = {c: _background(e) for c, e in self.schema.items()}

    @classmethod
    def from_registry(
        cls,
        registry: Registry,
        alias: str = "champion",
        whatif_feature=None,
        log=None,
        threads: int | None = None,
    ) -> ModelService:
        version = registry.resolve(alias)
        if version is None:
            raise ModelLoadError(
                f"no '{alias}' model in {registry.root}; run `python -m model.train`"
            )
        pipeline, card = registry.load(version)
        return cls(pipeline, card, whatif_feature, log, threads)

    @property
    def version(self) -> str:
        return self.card["version"]

    def defaults(self) -> dict:
        """Typical inputs (training median or most common value) to prefill a form."""
        return {c: e["reference"] for c, e in self.schema.items()}

    def validate(self, raw: dict) -> tuple[dict, list[str]]:
        """Check every field; return clean values and out-of-range warnings, or raise InputError."""
        if not isinstance(raw, dict):
            raise InputError(["inputs must be a mapping of feature to value"])
        clean, problems, warnings = {}, [], []
        for column, entry in self.schema.items():
            value, label = raw.get(column), entry["label"]
            if value is None or value == "":
                problems.append(f"{label}: a value is required")
            elif entry["kind"] == "category":
                if not isinstance(value, str) or value not in entry["categories"]:
                    problems.append(f"{label}: '{shorten(value)}' is not a known value")
                else:
                    clean[column] = value
            else:
                clean[column] = self._number(value, entry, problems, warnings)
        unknown = sorted(shorten(key) for key in raw if key not in self.schema)
        if unknown:
            problems.append(f"unknown field(s): {', '.join(unknown[:5])}")
        if problems:
            raise InputError(problems)
        return clean, warnings

    @staticmethod
    def _number(
        value, entry: dict, problems: list[str], warnings: list[str]
    ) -> float | None:
        label = entry["label"]
        try:
            number = parse_number(value, label)
        except BadInput as exc:
            problems.append(str(exc))
            return None
        if number < entry["min"] or number > entry["max"]:
            warnings.append(
                f"{label} = {number:g} is outside the training range "
                f"{entry['min']:g}–{entry['max']:g}; the model is extrapolating"
            )
        return number

    def _dtype(self, column: str):
        """The dtype the pipeline was fitted on: objects for categories, float64 otherwise."""
        return object if self.schema[column]["kind"] == "category" else np.float64

    def frame(self, rows: list[dict]) -> pd.DataFrame:
        """A frame of validated rows with the training dtypes."""
        columns = {
            c: np.array([r[c] for r in rows], dtype=self._dtype(c))
            for c in self.columns
        }
        return pd.DataFrame(columns, columns=self.columns)

    def _batch(self, clean: dict, variations: list[tuple[str, list]]):
        """One frame: the row, then the row with one column swept through each value list.

        Built column by column (not from row dicts): this is the what-if hot path.
        """
        n = 1 + sum(len(values) for _, values in variations)
        columns = {c: np.full(n, clean[c], dtype=self._dtype(c)) for c in self.columns}
        spans, start = [], 1
        for column, values in variations:
            columns[column][start : start + len(values)] = values
            spans.append((start, start + len(values)))
            start += len(values)
        return pd.DataFrame(columns, columns=self.columns), spans

    def scoring_threads(self):
        """Cap OpenMP threads for one request's scoring. The cap is per thread (a threaded
        server handles each request on a new one), so it is set around the call itself."""
        if self._pools is None:
            return contextlib.nullcontext()
        return self._pools.limit(limits=self.threads, user_api="openmp")

    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        return predict_values(self.pipeline, frame[self.columns], self.classification)

    def band(self, value: float) -> str:
        if not self.classification:
            return "—"
        if value < 0.8 * self.base_rate:
            return "Low"
        return "Moderate" if value < 1.5 * self.base_rate else "High"

    def whatif_values(self) -> list[float]:
        entry = self.schema[self.whatif_feature]
        low, high = entry["min"], entry["max"]
        if entry.get("integer") and high - low <= 48:
            return [float(v) for v in range(int(low), int(high) + 1)]
        return np.linspace(low, high, 25).tolist()

    def predict(
        self,
        raw: dict,
        source: str = "whatif",
        user: str | None = None,
        request_id: str | None = None,
    ) -> Prediction:
        """Validate, then score the row, its per-feature effects and its what-if curve in one call.

        A feature's effect is this prediction minus the average prediction when that feature
        alone takes its training distribution (the others held at this row's values).
        """
        started = time.perf_counter()
        clean, warnings = self.validate(raw)
        variations = [(c, self.background[c][0]) for c in self.columns]
        if self.whatif_feature:
            variations.append((self.whatif_feature, self.whatif_values()))
        batch, spans = self._batch(clean, variations)
        with self.scoring_threads():
            scores = self.predict_frame(batch)
        value = float(scores[0])
        averages = [
            scores[a:b] @ self.background[c][1]
            for c, (a, b) in zip(self.columns, spans[: len(self.columns)], strict=True)
        ]
        effects = pd.DataFrame(
            {
                "feature": [self.schema[c]["label"] for c in self.columns],
                "value": [clean[c] for c in self.columns],
                "effect": value - np.asarray(averages),
            }
        )
        effects = effects.iloc[
            np.argsort(-np.abs(effects["effect"].to_numpy()), kind="stable")
        ]
        sweep = variations[-1][1] if self.whatif_feature else []
        first_sweep = spans[-1][0] if self.whatif_feature else len(scores)
        whatif = pd.DataFrame({"value": sweep, "prediction": scores[first_sweep:]})
        latency_ms = (time.perf_counter() - started) * 1000
        request_id = self._record(
            clean, value, latency_ms, source, user, request_id or new_request_id()
        )
        return Prediction(
            value,
            self.band(value),
            self.version,
            warnings,
            effects.reset_index(drop=True),
            whatif,
            latency_ms,
            clean,
            request_id,
        )

    def _record(
        self,
        clean: dict,
        value: float,
        latency_ms: float,
        source: str,
        user,
        request_id,
    ) -> str | None:
        """Log the prediction before it is returned; no log, no answer."""
        if self.log is None:
            return None
        try:
            return self.log.record(
                source=source,
                user=user,
                model_version=self.version,
                model_sha256=self.card["artifact"]["sha256"],
                inputs=clean,
                output=value,
                latency_ms=latency_ms,
                request_id=request_id,
            )
        except Exception as exc:  # any database failure: refuse to answer unlogged
            reason = first_line(exc)
            logger.error("prediction %s refused: not logged: %s", request_id, reason)
            raise PredictionNotLogged(
                f"the prediction could not be logged: {reason}", request_id
            ) from exc
