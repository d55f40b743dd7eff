"""Start-up peak RSS: build_context on each backend at 1x, 10x and 100x the flights.

    python -m bench.startup --base-home HOME [--sizes 1,10] [--backends memory,duckdb]
        [--sized-dir DIR] [--dir /tmp/...] [--code CHECKOUT]

Each size gets a home of its own: the base home's model (and SQLite database) and the flights repeated with
jitter (bench/backends_data.py), written as a processed file with the base file's info, so
the app starts as it would on that data. Each start runs in a fresh process (`--worker`)
from a cold score cache, and reports its peak RSS (ru_maxrss: the master's peak before
gunicorn would fork) and its time. `--code` runs the workers from another checkout (with
this file copied into it), to measure the code before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bench.backends import parse_sizes
from bench.backends_data import DEFAULT_DIR, build_sizes
from bench.measure import log

BACKENDS = ("memory", "duckdb")
SCORE = "__score"  # the sized copies' stand-in scores: not part of the processed file


def processed_copy(sized: Path, base: Path, out: Path) -> None:
    """The sized copy as the app's processed file: the base file's schema (dtypes, pandas
    and Flightdeck metadata, rows updated), written batch by batch."""
    from data.ingest import META_KEY, processed_info

    rows = pq.ParquetFile(sized).metadata.num_rows
    info = processed_info(base).model_copy(update={"rows": rows})
    schema = pq.ParquetFile(base).schema_arrow
    schema = schema.with_metadata(
        {**schema.metadata, META_KEY: info.model_dump_json().encode()}
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema) as writer:
        for batch in pq.ParquetFile(sized).iter_batches(batch_size=1 << 20):
            part = pa.Table.from_batches([batch]).drop_columns([SCORE])
            writer.write_table(part.select(schema.names).cast(schema))
    os.replace(partial, out)


def sized_home(base_home: Path, sized: Path, spec, folder: Path) -> Path:
    """A home with the base home's model (and SQLite database) and `sized` as its processed data."""
    home = folder / f"home-{sized.stem}"
    data_file = home / "data" / f"{spec.name}.parquet"
    base_file = base_home / "data" / f"{spec.name}.parquet"
    if not data_file.is_file():
        processed_copy(sized, base_file, data_file)
    if not (home / "artifacts").is_dir():
        shutil.copytree(base_home / "artifacts", home / "artifacts")
        if (base_home / "flightdeck.db").is_file():  # SQLite: the aliases live there
            shutil.copy(base_home / "flightdeck.db", home / "flightdeck.db")
    return home


def spec_for(backend: str, spec_path: Path, folder: Path) -> Path:
    """The spec with `[source] backend` set (not in any fingerprint: nothing rebuilds)."""
    text = spec_path.read_text()
    if "\nbackend = " in text:
        raise ValueError(f"{spec_path} already sets a backend")
    out = folder / f"{spec_path.stem}-{backend}.toml"
    out.write_text(text.replace("[source]\n", f'[source]\nbackend = "{backend}"\n', 1))
    return out


def worker() -> dict:
    """build_context from FLIGHTDECK_HOME and FLIGHTDECK_SPEC; its peak RSS and time."""
    from app import build_context
    from config import Settings

    started = time.perf_counter()
    ctx = build_context(
        Settings.from_env(), progress=lambda m: print(m, file=sys.stderr)
    )
    return {
        "backend": type(ctx.dataset).__name__,
        "start_s": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_worker(home: Path, spec: Path, code: Path) -> dict:
    """One cold start (no cached scores) in a fresh process; its JSON report."""
    shutil.rmtree(home / "cache", ignore_errors=True)
    env = os.environ | {
        "FLIGHTDECK_HOME": str(home),
        "FLIGHTDECK_SPEC": str(spec),
        "PYTHONPATH": str(code),
    }
    command = [sys.executable, "-m", "bench.startup", "--worker"]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=code, env=env, check=False
    )
    if done.returncode != 0:
        log(f"start failed: {done.stderr.strip()[-400:]}")
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = ["| size | rows | backend | start-up | peak RSS |", "|---|---|---|---|---|"]
    for r in rows:
        took = f"{r['start_s']:.0f} s" if "start_s" in r else "failed"
        peak = f"{r['peak_mb']:,.0f} MB" if "peak_mb" in r else ""
        lines.append(
            f"| {r['size']}x | {r['rows']:,} | {r['spec_backend']} | {took} | {peak} |"
        )
    return "\n".join(lines)


def run(args) -> list[dict]:
    """Every backend at every size, one cold start each."""
    from config import Settings
    from data.spec import load_spec

    spec_path = Settings.from_env().spec_path
    spec = load_spec(spec_path)
    base_file = args.base_home / "data" / f"{spec.name}.parquet"
    files = build_sizes(base_file, spec, args.sizes, args.sized_dir, progress=log)
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        home = sized_home(args.base_home, files[size], spec, args.dir)
        n_rows = pq.ParquetFile(files[size]).metadata.num_rows
        for backend in args.backends:
            log(f"{backend} at {size}x ({n_rows:,} rows)")
            report = run_worker(home, spec_for(backend, spec_path, args.dir), args.code)
            rows.append(
                {"size": size, "rows": n_rows, "spec_backend": backend, **report}
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-home", type=Path)
    parser.add_argument("--sizes", type=parse_sizes, default=[1, 10])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--sized-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR / "startup")
    parser.add_argument("--code", type=Path, default=Path(__file__).parents[1])
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker()))
        return
    if args.base_home is None:
        parser.error("--base-home is required (a home with data and a champion)")
    args.backends = [b for b in args.backends.split(",") if b]
    rows = run(args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
