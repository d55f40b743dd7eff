"""The model card, typed: what a model version is, how well it does, and what it expects.

Written once by training (or registering) and read by the service and the Model page as
fields, never as string paths into nested dicts. Unknown keys are refused.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Background(Strict):
    """Values a feature takes in training, with their weights, to average effects over."""

    values: list[str | float]
    weights: list[float]


class FeatureEntry(Strict):
    """One feature as training saw it: the form, validation and drift rely on it."""

    column: str
    kind: Literal["category", "number"]
    label: str
    unit: str = ""
    reference: str | float
    missing_share: float = 0.0
    categories: list[str] = []
    min: float | None = None
    p01: float | None = None
    p99: float | None = None
    max: float | None = None
    integer: bool = False
    levels: list[float] = Field([], description="Every value, for integers with few")
    background: Background
    drift_edges: list[float] = []
    drift_share: list[float] = []
    category_share: dict[str, float] = {}


class SplitPart(Strict):
    rows: int
    target_mean: float | None = None
    class_shares: dict[str, float] = {}
    start: str | None = None
    end: str | None = None


class DatasetInfo(Strict):
    name: str
    title: str
    question: str
    rows: int
    fingerprint: str
    split: dict[str, SplitPart]


class Fingerprints(Strict):
    """What the model was built from: the spec's model-relevant parts and the source file."""

    spec: str
    source: str


class ModelInfo(Strict):
    estimator: str
    params: dict[str, int | float | str | bool | None]
    origin: Literal["trained", "registered"] = "trained"


class BaselineInfo(Strict):
    kind: str
    columns: list[str]


class Scores(Strict):
    valid: dict[str, float] = {}
    holdout: dict[str, float]


class ClassScores(Strict):
    label: str
    precision: float
    recall: float
    support: int


class Calibration(Strict):
    predicted: list[float]
    observed: list[float]


class Roc(Strict):
    fpr: list[float]
    tpr: list[float]


class Thresholds(Strict):
    values: list[float]
    tp_fp_tn_fn: list[list[int]]


class Residuals(Strict):
    predicted: list[float]
    residual: list[float]


class Confusion(Strict):
    """Counts of actual (rows) by predicted class (columns), in the card's class order."""

    counts: list[list[int]]


class Curves(Strict):
    calibration: Calibration | None = None
    roc: Roc | None = None
    thresholds: Thresholds | None = None
    residuals: Residuals | None = None
    confusion: Confusion | None = None


class Importance(Strict):
    feature: str
    mean: float
    std: float


class Artifact(Strict):
    file: str
    sha256: str


class ScoreCalibration(Strict):
    """Observed rate against predicted score on the validation split (isotonic steps)."""

    score: list[float]
    observed: list[float]


class ScoreReference(Strict):
    """The predicted value as the holdout saw it, and how far to trust it, for monitoring:
    the Monitor page compares live scores with `holdout_share`, and estimates performance
    before outcomes arrive from the calibrated probabilities (one channel per class score)."""

    edges: list[float]
    holdout_share: list[list[float]]
    calibration: list[ScoreCalibration] = []


class ModelCard(Strict):
    """Everything known about one model version; card.json is this, as JSON."""

    version: str = ""
    artifact: Artifact | None = None
    created: str
    task: Literal["classification", "regression"]
    target: str
    outcome: str = Field(description="What the outcome is called, for titles")
    classes: list[str] = []
    positive: str | None = None
    positive_how: str = ""
    dataset: DatasetInfo
    fingerprints: Fingerprints
    model: ModelInfo
    baseline: BaselineInfo | None
    metrics: dict[str, Scores]
    per_class: list[ClassScores] = []
    curves: Curves
    importance: list[Importance]
    features: list[FeatureEntry]
    libraries: dict[str, str]
    monitor: ScoreReference | None = None

    @property
    def kind(self) -> Literal["binary", "multiclass", "regression"]:
        if self.task == "regression":
            return "regression"
        return "binary" if len(self.classes) == 2 else "multiclass"

    @property
    def feature_columns(self) -> list[str]:
        return [entry.column for entry in self.features]

    @property
    def sha256(self) -> str:
        return self.artifact.sha256 if self.artifact else ""
