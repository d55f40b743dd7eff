"""Ingestion: turn a spec's source into one processed Parquet file, rebuilt by command.

python -m data.ingest [--spec data/specs/flights.toml]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from config import Settings
from data.flights_etl import load_flights
from data.spec import DatasetSpec, SpecError, load_spec

LOADERS: dict[str, Callable[..., pd.DataFrame]] = {"flights": load_flights}


def processed_path(settings: Settings, spec: DatasetSpec) -> Path:
    return settings.data_dir / f"{spec.name}.parquet"


def _read_file(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"data source not found: {path}")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def conform(frame: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Check the spec's columns exist and give each its working dtype."""
    needed = [spec.target, *(f.column for f in spec.features)]
    needed += [c for c in (spec.time_column, spec.measure) if c]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise SpecError(f"the data has no column(s) {missing} that the spec names")
    frame = frame.copy()
    for column in spec.category_features:
        frame[column] = frame[column].astype("string").astype("category")
    for column in spec.number_features:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float32")
    if spec.time_column:
        frame[spec.time_column] = pd.to_datetime(frame[spec.time_column])
        frame = frame.sort_values(spec.time_column, kind="stable").reset_index(
            drop=True
        )
    frame[spec.target] = pd.to_numeric(frame[spec.target], errors="raise").astype(
        "float32"
    )
    return frame


def load_source(
    spec: DatasetSpec, sample: int | None = None, progress=print
) -> pd.DataFrame:
    """Read the spec's source (a built-in loader or a CSV/Parquet path) and conform it."""
    if spec.source_loader:
        if spec.source_loader not in LOADERS:
            raise SpecError(
                f"unknown loader '{spec.source_loader}'; known: {sorted(LOADERS)}"
            )
        frame = LOADERS[spec.source_loader](sample=sample, progress=progress)
    else:
        progress(f"  reading {spec.source_path}")
        frame = _read_file(spec.source_path)
        if sample is not None and sample < len(frame):
            frame = frame.sample(n=sample, random_state=0)
    return conform(frame, spec)


def ingest(
    settings: Settings, spec: DatasetSpec, sample: int | None = None, progress=print
) -> Path:
    """Write the processed Parquet atomically (temp file, then rename) and return its path."""
    started = time.perf_counter()
    progress(f"[data] building '{spec.name}' from its source")
    frame = load_source(spec, sample=sample, progress=progress)
    out = processed_path(settings, spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".parquet.partial")
    frame.to_parquet(partial, index=False)
    os.replace(partial, out)
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
    spec = load_spec(args.spec or settings.spec_path)
    ingest(settings, spec, sample=args.sample)


if __name__ == "__main__":
    main()
