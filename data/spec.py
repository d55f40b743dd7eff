"""Dataset specs: a small TOML file that tells the app what a dataset is."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

TASKS = {"classification", "regression"}
KINDS = {"category", "number"}


class SpecError(ValueError):
    """The spec file is missing something or contradicts itself."""


@dataclass(frozen=True)
class Feature:
    column: str
    kind: str
    label: str
    unit: str = ""


@dataclass(frozen=True)
class Geo:
    origin: str
    dest: str
    origin_lat: str
    origin_lon: str
    dest_lat: str
    dest_lon: str


@dataclass(frozen=True)
class DatasetSpec:
    """What a dataset is: source, target, features, and which views it supports."""

    name: str
    title: str
    question: str
    target: str
    task: str
    features: tuple[Feature, ...]
    source_loader: str | None = None
    source_path: Path | None = None
    row_label: str = "rows"
    positive_label: str = "positive"
    missing_label: str = ""
    time_column: str | None = None
    hour_column: str | None = None
    train_end: str | None = None
    valid_end: str | None = None
    measure: str | None = None
    measure_label: str = ""
    measure_unit: str = ""
    measure_clip: tuple[float, float] | None = None
    measure_threshold: float | None = None
    category_filters: tuple[str, ...] = ()
    range_filters: tuple[str, ...] = ()
    category_chart: str | None = None
    bin_columns: tuple[str, ...] = ()
    baseline_columns: tuple[str, ...] = ()
    whatif_feature: str | None = None
    geo: Geo | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

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
            return self.feature(column).label
        except KeyError:
            return column.replace("_", " ").capitalize()

    @property
    def category_features(self) -> list[str]:
        return [f.column for f in self.features if f.kind == "category"]

    @property
    def number_features(self) -> list[str]:
        return [f.column for f in self.features if f.kind == "number"]


def _require(table: dict, key: str, where: str):
    if key not in table:
        raise SpecError(f"spec: '{key}' is required in [{where}]")
    return table[key]


def _features(raw: list[dict]) -> tuple[Feature, ...]:
    if not raw:
        raise SpecError("spec: at least one [[features]] entry is required")
    out = []
    for item in raw:
        column = _require(item, "column", "features")
        kind = item.get("kind", "number")
        if kind not in KINDS:
            raise SpecError(
                f"spec: feature '{column}' has kind '{kind}', not one of {KINDS}"
            )
        out.append(
            Feature(column, kind, item.get("label", column), item.get("unit", ""))
        )
    return tuple(out)


def _geo(raw: dict | None) -> Geo | None:
    if not raw:
        return None
    keys = ("origin", "dest", "origin_lat", "origin_lon", "dest_lat", "dest_lon")
    return Geo(*(_require(raw, k, "geo") for k in keys))


def parse_spec(raw: dict, base_dir: Path) -> DatasetSpec:
    """Turn a parsed TOML mapping into a checked DatasetSpec."""
    source, target = _require(raw, "source", "top"), _require(raw, "target", "top")
    task = target.get("task", "classification")
    if task not in TASKS:
        raise SpecError(f"spec: task '{task}' is not one of {sorted(TASKS)}")
    if "loader" not in source and "path" not in source:
        raise SpecError("spec: [source] needs either 'loader' or 'path'")
    path = source.get("path")
    time, measure = raw.get("time", {}), raw.get("measure", {})
    filters, overview = raw.get("filters", {}), raw.get("overview", {})
    clip = measure.get("clip")
    spec = DatasetSpec(
        name=_require(raw, "name", "top"),
        title=raw.get("title", raw["name"]),
        question=raw.get("question", ""),
        target=_require(target, "column", "target"),
        task=task,
        features=_features(raw.get("features", [])),
        source_loader=source.get("loader"),
        source_path=(base_dir / path).resolve() if path else None,
        row_label=raw.get("row_label", "rows"),
        positive_label=target.get("positive_label", "positive"),
        missing_label=target.get("missing_label", ""),
        time_column=time.get("column"),
        hour_column=time.get("hour_column"),
        train_end=time.get("train_end"),
        valid_end=time.get("valid_end"),
        measure=measure.get("column"),
        measure_label=measure.get("label", ""),
        measure_unit=measure.get("unit", ""),
        measure_clip=tuple(clip) if clip else None,
        measure_threshold=measure.get("threshold"),
        category_filters=tuple(filters.get("categories", ())),
        range_filters=tuple(filters.get("ranges", ())),
        category_chart=overview.get("category_chart"),
        bin_columns=tuple(overview.get("bin_columns", ())),
        baseline_columns=tuple(raw.get("baseline", {}).get("columns", ())),
        whatif_feature=raw.get("predict", {}).get("whatif"),
        geo=_geo(raw.get("geo")),
        labels=dict(raw.get("labels", {})),
    )
    _check_references(spec)
    return spec


def _check_references(spec: DatasetSpec) -> None:
    features = {f.column for f in spec.features}
    if spec.target in features:
        raise SpecError(f"spec: the target '{spec.target}' cannot also be a feature")
    if spec.whatif_feature and spec.whatif_feature not in spec.number_features:
        raise SpecError(
            f"spec: what-if feature '{spec.whatif_feature}' must be a number feature"
        )
    if bool(spec.train_end) != bool(spec.valid_end):
        raise SpecError("spec: [time] needs both train_end and valid_end, or neither")
    if spec.train_end and not spec.time_column:
        raise SpecError("spec: a time split needs [time] column")


def load_spec(path: str | Path) -> DatasetSpec:
    """Read and check a spec file; relative source paths resolve against its folder."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"spec file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"spec {path.name} is not valid TOML: {exc}") from exc
    return parse_spec(raw, path.parent)
