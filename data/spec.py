"""Dataset specs: a small TOML file, read into a typed model that refuses unknown keys.

python -m data.spec check SPEC      # check a spec against its data, build nothing
python -m data.spec schema          # the spec's JSON Schema, for editors
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from data.spec_errors import SpecError, problems_from
from data.spec_sections import (  # noqa: F401  (re-exported: the spec's vocabulary)
    BAND_COLORS,
    ESTIMATORS,
    FIXED_PARAMS,
    Band,
    Baseline,
    Feature,
    Filters,
    Geo,
    Measure,
    ModelChoice,
    Monitor,
    Names,
    Overview,
    Predict,
    Source,
    Strict,
    Target,
    Time,
    estimator_params,
    monitor_problems,
    names_problems,
    param_problems,
)


class DatasetSpec(Strict):
    """What a dataset is: source, target, features, and which views it supports."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = ""
    question: str = ""
    row_label: str = "rows"
    source: Source
    target_: Target = Field(alias="target")
    time: Time | None = None
    measure_: Measure | None = Field(None, alias="measure")
    filters: Filters = Filters()
    overview: Overview = Overview()
    baseline: Baseline = Baseline()
    predict: Predict = Predict()
    model: ModelChoice = ModelChoice()
    monitor_: Monitor = Field(Monitor(), alias="monitor")
    geo: Geo | None = None
    labels: dict[str, str] = {}
    names: dict[str, Names] = Field(
        {},
        description="Display names of a category column's values: "
        "[names.carrier] UA = 'United Air Lines Inc.'; filters and links keep the codes",
    )
    features: tuple[Feature, ...] = ()
    _folder: Path = PrivateAttr(default=Path("."))
    _file: str = PrivateAttr(default="spec")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> DatasetSpec:
        """Every contradiction at once, one line each (problems_from splits the lines)."""
        problems = self._contradictions()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _contradictions(self) -> list[str]:
        from data.spec_errors import nearest

        columns, problems = [f.column for f in self.features], []
        if not columns:
            problems.append("at least one [[features]] entry is required")
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            problems.append(f"[[features]] lists {twice} more than once")
        if self.target in columns:
            problems.append(f"the target '{self.target}' cannot also be a feature")
        whatif, numbers = self.whatif_feature, self.number_features
        if whatif and whatif not in numbers:
            problems.append(
                f"[predict] whatif = '{whatif}' must be a number feature "
                f"({', '.join(numbers) or 'none'}){nearest(whatif, numbers)}"
            )
        if self.predict.bands and self.task != "classification":
            problems.append("[predict] bands are for classification targets")
        problems += monitor_problems(self.monitor_, self.category_features, self.target)
        problems += names_problems(
            self.names, self.category_columns, self.number_features
        )
        return problems + param_problems(self.model, self.task == "classification")

    @property
    def category_columns(self) -> list[str]:
        """Every column shown as categories: category features and filters, geo ends."""
        columns = [*self.category_features, *self.category_filters]
        if self.geo:
            columns += [self.geo.origin, self.geo.dest]
        return list(dict.fromkeys(columns))

    # Flat names for what the app reads most.
    @property
    def target(self) -> str:
        return self.target_.column

    @property
    def task(self) -> str:
        return self.target_.task

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

    @property
    def positive_label(self) -> str:
        """What the positive outcome is called (binary), for titles and axes."""
        return self.target_.label or self.label(self.target)

    @property
    def missing_label(self) -> str:
        return self.target_.missing_label

    @property
    def source_loader(self) -> str | None:
        return self.source.loader

    @property
    def source_path(self) -> Path | None:
        path = self.source.path
        return (self._folder / path).resolve() if path else None

    @property
    def file(self) -> str:
        return self._file

    @property
    def time_column(self) -> str | None:
        return self.time.column if self.time else None

    @property
    def hour_column(self) -> str | None:
        return self.time.hour_column if self.time else None

    @property
    def train_end(self) -> str | None:
        return str(self.time.train_end) if self.time and self.time.train_end else None

    @property
    def valid_end(self) -> str | None:
        return str(self.time.valid_end) if self.time and self.time.valid_end else None

    @property
    def measure(self) -> str | None:
        return self.measure_.column if self.measure_ else None

    @property
    def measure_label(self) -> str:
        return self.measure_.label if self.measure_ else ""

    @property
    def measure_unit(self) -> str:
        return self.measure_.unit if self.measure_ else ""

    @property
    def measure_clip(self) -> tuple[float, float] | None:
        return self.measure_.clip if self.measure_ else None

    @property
    def measure_threshold(self) -> float | None:
        return self.measure_.threshold if self.measure_ else None

    @property
    def category_filters(self) -> tuple[str, ...]:
        return self.filters.categories

    @property
    def range_filters(self) -> tuple[str, ...]:
        return self.filters.ranges

    @property
    def category_chart(self) -> str | None:
        return self.overview.category_chart

    @property
    def bin_columns(self) -> tuple[str, ...]:
        return self.overview.bin_columns

    @property
    def baseline_columns(self) -> tuple[str, ...]:
        return self.baseline.columns

    @property
    def whatif_feature(self) -> str | None:
        return self.predict.whatif

    @property
    def monitor(self) -> Monitor:
        """[monitor] with its segments resolved (default: category filters that are features)."""
        if self.monitor_.segments is not None:
            return self.monitor_
        cats = self.category_features
        segments = tuple(c for c in self.category_filters if c in cats)
        return self.monitor_.model_copy(update={"segments": segments})

    def feature(self, column: str) -> Feature:
        for feat in self.features:
            if feat.column == column:
                return feat
        raise KeyError(column)

    def label(self, column: str) -> str:
        """Human label for any column the spec mentions."""
        if column in self.labels:
            return self.labels[column]
        try:
            label = self.feature(column).label
        except KeyError:
            label = ""
        return label or column.replace("_", " ").capitalize()

    @property
    def category_features(self) -> list[str]:
        return [f.column for f in self.features if f.is_category]

    @property
    def number_features(self) -> list[str]:
        return [f.column for f in self.features if not f.is_category]

    def fingerprint(self, scope: Literal["data", "model"]) -> str:
        """sha256 of what the processed data (or the model) depends on in this spec.

        Titles, labels, charts, filters, the promotion gate and [monitor] change neither,
        so editing them rebuilds nothing.
        """
        parts = {
            "source": self.source.model_dump(mode="json", exclude={"backend"}),
            "target": self.target_.model_dump(
                mode="json", exclude={"label", "missing_label"}
            ),
            "features": [[f.column, f.kind, list(f.order)] for f in self.features],
            "time": self.time_column,
            "measure": self.measure,
        }
        if scope == "model":
            parts.update(
                split=[self.train_end, self.valid_end],
                baseline=list(self.baseline_columns),
                model=self.model.model_dump(mode="json", exclude={"gate"}),
            )
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def parse_spec(raw: dict, base_dir: Path, file: str = "spec") -> DatasetSpec:
    """Turn a parsed TOML mapping into a checked DatasetSpec, or raise SpecError."""
    try:
        spec = DatasetSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(file, problems_from(exc, DatasetSpec)) from None
    spec._folder = Path(base_dir)
    spec._file = file
    return spec


def load_spec(path: str | Path) -> DatasetSpec:
    """Read and check a spec file; relative source paths resolve against its folder."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(str(path), ["the spec file is not found"])
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(str(path), [f"not valid TOML: {exc}"]) from None
    return parse_spec(raw, path.parent, str(path))


def json_schema() -> dict:
    """The JSON Schema of a spec file, for editors (Taplo / Even Better TOML)."""
    schema = DatasetSpec.model_json_schema(by_alias=True)
    schema["title"] = "Flightdeck dataset spec"
    return schema


if __name__ == "__main__":
    from data.spec_check import main

    main()
