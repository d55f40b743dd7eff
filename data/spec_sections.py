"""The sections of a dataset spec: each a pydantic model that refuses unknown keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["category", "number", "month", "weekday"]
Column = Annotated[str, Field(min_length=1)]
ESTIMATORS = ("hist_gradient_boosting", "logistic_regression")
BAND_COLORS = ("primary", "secondary", "success", "info", "warning", "danger", "dark")


class Strict(BaseModel):
    """Every spec section: unknown keys are errors, values are never changed after load."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    loader: Literal["flights"] | None = None
    path: str | None = Field(None, description="CSV or Parquet, relative to the spec")
    backend: Literal["memory", "duckdb", "auto"] = Field(
        "memory",
        description="Where the Overview's filters and aggregates run: 'memory' (arrays in "
        "each worker, fastest), 'duckdb' (SQL over the processed Parquet, memory flat as "
        "rows grow) or 'auto' (DuckDB above 2,000,000 rows)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Source:
        if self.loader is None and self.path is None:
            raise ValueError(
                "[source] needs 'path' (a CSV or Parquet file) or 'loader'"
            )
        if self.loader is not None and self.path is not None:
            raise ValueError("[source] takes 'path' or 'loader', not both")
        return self


class Target(Strict):
    column: Column
    task: Literal["classification", "regression"] = "classification"
    positive: str | bool | int | float | None = Field(
        None, description="The target value that counts as positive (binary tasks)"
    )
    label: str = Field("", description="What the outcome is called, for titles")
    missing_label: str = Field("", description="What a missing target means")


class Time(Strict):
    column: Column
    hour_column: str | None = None
    train_end: dt.date | None = None
    valid_end: dt.date | None = None

    @model_validator(mode="after")
    def _both_ends(self) -> Time:
        if (self.train_end is None) != (self.valid_end is None):
            raise ValueError("[time] needs both train_end and valid_end, or neither")
        if self.train_end and self.valid_end and self.valid_end <= self.train_end:
            raise ValueError("[time] valid_end must come after train_end")
        return self


class Measure(Strict):
    column: Column
    label: str = ""
    unit: str = ""
    clip: tuple[float, float] | None = None
    threshold: float | None = None


class Filters(Strict):
    categories: tuple[Column, ...] = ()
    ranges: tuple[Column, ...] = ()
    missing_label: str = Field(
        "",
        description="What rows with no value in a range filter are, after their count: "
        "'with missing weather readings' (default: 'with no' and the columns' labels)",
    )


class Overview(Strict):
    category_chart: str | None = None
    bin_columns: tuple[Column, ...] = ()


class Baseline(Strict):
    columns: tuple[Column, ...] = ()


class Band(Strict):
    label: Column
    below: float | None = Field(
        None, ge=0, le=1, description="Upper bound of the probability; none = the rest"
    )
    color: Literal[BAND_COLORS] = "secondary"  # type: ignore[valid-type]


class Predict(Strict):
    whatif: str | None = None
    bands: tuple[Band, ...] = ()

    @model_validator(mode="after")
    def _bands_rise(self) -> Predict:
        bounds = [b.below for b in self.bands]
        if bounds and (None in bounds[:-1] or bounds != sorted(bounds, key=_last)):
            raise ValueError(
                "[predict] bands need rising 'below' bounds; only the last may omit it"
            )
        return self


def _last(bound: float | None) -> float:
    return 2.0 if bound is None else bound


class Gate(Strict):
    """When a retrained candidate replaces the champion (see model/gate.py)."""

    margin: float = Field(
        0.0,
        ge=0,
        description="How much better the primary metric must be (AUC up, RMSE down)",
    )
    tolerance: float = Field(
        0.001,
        ge=0,
        description="How much worse calibration may get (Brier; log loss for multi-class)",
    )


class ModelChoice(Strict):
    estimator: Literal[ESTIMATORS] = "hist_gradient_boosting"  # type: ignore[valid-type]
    params: dict[str, int | float | str | bool] = {}
    gate: Gate = Gate()


def estimator_params(name: str, classification: bool) -> set[str]:
    """The settings an estimator takes (scikit-learn's own names)."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.linear_model import LogisticRegression

    if name == "logistic_regression":
        return set(LogisticRegression().get_params())
    cls = (
        HistGradientBoostingClassifier
        if classification
        else HistGradientBoostingRegressor
    )
    return set(cls().get_params())


# Set by training itself, so a spec may not.
FIXED_PARAMS = {"random_state", "warm_start"}


def param_problems(choice: ModelChoice, classification: bool) -> list[str]:
    """A line for each [model] setting the estimator does not take."""
    from data.spec_errors import nearest

    if choice.estimator == "logistic_regression" and not classification:
        return [
            "[model] estimator = 'logistic_regression' cannot predict a number; "
            "use 'hist_gradient_boosting' for regression"
        ]
    valid = sorted(estimator_params(choice.estimator, classification) - FIXED_PARAMS)
    return [
        f"[model] params: {choice.estimator} takes no '{key}'{nearest(key, valid)}"
        for key in choice.params
        if key not in valid
    ]


class Geo(Strict):
    origin: Column
    dest: Column
    origin_lat: Column
    origin_lon: Column
    dest_lat: Column
    dest_lon: Column


Code = Annotated[str, Field(min_length=1)]
Names = dict[Code, Annotated[str, Field(min_length=1)]]


def names_problems(names: dict, shown: list[str], numbers: list[str] = ()) -> list[str]:
    """A line for each [names] column that is no category the app shows nor a number
    feature, and for each value of a number feature's names that is not a number."""
    from data.spec_errors import nearest

    allowed = [*shown, *numbers]
    problems = [
        f"[names] '{column}' is not a category feature, filter or geo column, nor a "
        f"number feature ({', '.join(allowed) or 'none'}){nearest(column, allowed)}"
        for column in names
        if column not in allowed
    ]
    for column in (c for c in names if c in numbers and c not in shown):
        for value in names[column]:
            try:
                float(value)
            except ValueError:
                problems.append(
                    f"[names.{column}] '{value[:40]}' is not a number: "
                    f"{column} is a number feature, so its names are keyed by value"
                )
    return problems


class Feature(Strict):
    column: Column
    kind: Kind = "number"
    label: str = ""
    unit: str = ""
    order: tuple[str, ...] = Field((), description="Display order of the categories")

    @property
    def is_category(self) -> bool:
        return self.kind != "number"


class Alerts(Strict):
    """When `python -m model.monitor check` and the Monitor page raise an alert."""

    psi: float = Field(
        0.25, gt=0, description="A flagged feature at or above this PSI alerts"
    )
    auc_drop: float = Field(
        0.05,
        gt=0,
        le=1,
        description="Estimated or realized AUC below the holdout AUC minus this",
    )
    latency_p95_ms: float = Field(
        500.0, gt=0, description="Latency p95 above this many milliseconds"
    )
    error_rate: float = Field(
        0.01, gt=0, le=1, description="Share of answers served by a fallback"
    )


class Monitor(Strict):
    """What the Monitor page breaks results down by, and how outcomes find predictions."""

    segments: tuple[Column, ...] | None = Field(
        None,
        description="Category features to break metrics down by; "
        "default: the [filters] categories that are features",
    )
    keys: tuple[Column, ...] = Field(
        (), description="Columns that identify an event, to match outcomes to it"
    )
    min_n: int = Field(
        200, ge=1, description="Fewer rows than this: no drift test, no segment metric"
    )
    alerts: Alerts = Alerts()


def monitor_problems(
    monitor: Monitor, category_features: list[str], target: str
) -> list[str]:
    """A line for each [monitor] segment that is no category feature, and each bad key."""
    from data.spec_errors import nearest

    problems = [
        f"[monitor] segments: '{column}' is not a category feature "
        f"({', '.join(category_features) or 'none'}){nearest(column, category_features)}"
        for column in monitor.segments or ()
        if column not in category_features
    ]
    for field, columns in (
        ("segments", monitor.segments or ()),
        ("keys", monitor.keys),
    ):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            problems.append(f"[monitor] {field} lists {twice} more than once")
    if target in monitor.keys:
        problems.append(
            f"[monitor] keys: the target '{target}' is the outcome itself; "
            "keys name the event it belongs to"
        )
    return problems
