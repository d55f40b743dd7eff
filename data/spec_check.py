"""Check a spec against its data before any work: every column it names, and their kinds.

python -m data.spec check SPEC     # exit 0 when the spec is good, 1 with its problems
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from data import flights_etl
from data.spec import DatasetSpec, json_schema, load_spec
from data.spec_errors import SpecError, nearest
from data.target import classes_of, label_text

SAMPLE_ROWS = 5000


def source_name(spec: DatasetSpec) -> str:
    return (
        spec.source_path.name
        if spec.source_path
        else f"the {spec.source_loader} loader"
    )


def source_header(spec: DatasetSpec) -> list[str]:
    """The source's column names, read without loading the data."""
    if spec.source_loader:
        return list(flights_etl.COLUMNS)
    path = spec.source_path
    if not path.is_file():
        raise SpecError(spec.file, [f"[source] path: no file at {path}"])
    if path.suffix.lower() == ".parquet":
        return list(pq.read_schema(path).names)
    return [str(c) for c in pd.read_csv(path, nrows=0).columns]


def source_sample(spec: DatasetSpec, rows: int = SAMPLE_ROWS) -> pd.DataFrame | None:
    """The first rows of a file source (None for a built-in loader, which we trust)."""
    path = spec.source_path
    if path is None:
        return None
    if path.suffix.lower() == ".parquet":
        batch = next(pq.ParquetFile(path).iter_batches(batch_size=rows), None)
        return batch.to_pandas() if batch is not None else pd.DataFrame()
    return pd.read_csv(path, nrows=rows)


def column_references(spec: DatasetSpec) -> list[tuple[str, str]]:
    """Every (field, column) pair the spec names, in the spec's own words."""
    refs = [("[target] column", spec.target)]
    refs += [
        (f"[[features]] #{i + 1} column", f.column) for i, f in enumerate(spec.features)
    ]
    if spec.time:
        refs.append(("[time] column", spec.time.column))
        if spec.time.hour_column:
            refs.append(("[time] hour_column", spec.time.hour_column))
    if spec.measure:
        refs.append(("[measure] column", spec.measure))
    refs += [("[filters] categories", c) for c in spec.category_filters]
    refs += [("[filters] ranges", c) for c in spec.range_filters]
    if spec.category_chart:
        refs.append(("[overview] category_chart", spec.category_chart))
    refs += [("[overview] bin_columns", c) for c in spec.bin_columns]
    refs += [("[baseline] columns", c) for c in spec.baseline_columns]
    if spec.geo:
        refs += [(f"[geo] {k}", v) for k, v in spec.geo.model_dump().items()]
    refs += [("[labels]", c) for c in spec.labels]
    refs += [("[names]", c) for c in spec.names]
    refs += [("[monitor] keys", c) for c in spec.monitor.keys]
    return refs


def check_columns(spec: DatasetSpec, header: list[str]) -> list[str]:
    """A problem for each column the spec names that the data does not have."""
    name = source_name(spec)
    return [
        f"{field}: '{column}' is not a column of {name}{nearest(column, header)}"
        for field, column in column_references(spec)
        if column not in header
    ]


def number_columns(spec: DatasetSpec) -> list[tuple[str, str]]:
    """(field, column) pairs that must hold numbers."""
    refs = [(f"[[features]] '{c}'", c) for c in spec.number_features]
    refs += [("[filters] ranges", c) for c in spec.range_filters]
    refs += [("[overview] bin_columns", c) for c in spec.bin_columns]
    if spec.measure:
        refs.append(("[measure] column", spec.measure))
    if spec.hour_column:
        refs.append(("[time] hour_column", spec.hour_column))
    if spec.geo:
        g = spec.geo
        refs += [
            (f"[geo] '{c}'", c)
            for c in (g.origin_lat, g.origin_lon, g.dest_lat, g.dest_lon)
        ]
    if not spec.is_classification:
        refs.append(("[target] column", spec.target))
    return refs


def text_problem(
    values: pd.Series, field: str, column: str, is_feature: bool
) -> str | None:
    """Why a column that must hold numbers does not, or None when it does."""
    parsed = pd.to_numeric(values, errors="coerce")
    bad = values[parsed.isna() & values.notna()]
    if bad.empty:
        return None
    fix = 'add kind = "category" to it' if is_feature else "it needs numbers"
    if field.startswith("[target]"):
        fix = 'set task = "classification" for labels'
    return f"{field}: column '{column}' holds text such as {str(bad.iloc[0])[:40]!r}; {fix}"


def check_values(
    spec: DatasetSpec, frame: pd.DataFrame, with_target: bool = True
) -> list[str]:
    """Problems with the values: text where numbers are needed, dates, the target's classes."""
    problems = []
    features = set(spec.number_features)
    for field, column in dict.fromkeys(number_columns(spec)):
        problem = text_problem(frame[column], field, column, column in features)
        if problem:
            problems.append(problem)
    if spec.time_column:
        try:
            pd.to_datetime(frame[spec.time_column], format="mixed")
        except (ValueError, TypeError) as exc:
            problems.append(
                f"[time] column '{spec.time_column}': not dates ({exc})"[:200]
            )
    if spec.is_classification and with_target:
        problems += target_problems(spec, frame[spec.target])
    return problems


def target_problems(spec: DatasetSpec, values: pd.Series) -> list[str]:
    """Why a classification target cannot be used (its classes, its positive value)."""
    try:
        classes_of(spec, label_text(values))
    except SpecError as exc:
        return exc.problems
    return []


def source_target(spec: DatasetSpec) -> pd.Series:
    """The whole target column of a file source (classes need every row, not a sample)."""
    path = spec.source_path
    if path.suffix.lower() == ".parquet":
        return pq.read_table(path, columns=[spec.target]).to_pandas()[spec.target]
    return pd.read_csv(path, usecols=[spec.target])[spec.target]


def check_spec(spec: DatasetSpec) -> None:
    """Raise SpecError with every problem found in the header and a sample of rows."""
    problems = check_columns(spec, source_header(spec))
    if problems:
        raise SpecError(spec.file, problems)
    sample = source_sample(spec)
    if sample is not None:
        problems = check_values(spec, sample, with_target=False)
        if spec.is_classification:
            problems += target_problems(spec, source_target(spec))
        if problems:
            raise SpecError(spec.file, problems)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m data.spec", description="Check a dataset spec; build nothing."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check a spec against its data")
    check.add_argument("spec", type=Path)
    schema = sub.add_parser("schema", help="print the spec's JSON Schema")
    schema.add_argument("--out", type=Path, help="write it to this file")
    args = parser.parse_args(argv)
    if args.command == "schema":
        text = json.dumps(json_schema(), indent=1)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return
    try:
        spec = load_spec(args.spec)
        check_spec(spec)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
    kind = spec.task
    print(
        f"spec {args.spec}: ok: {kind}, target '{spec.target}', "
        f"{len(spec.features)} features, source {source_name(spec)}"
    )
