"""The two Dataset backends at 1x, 10x and 100x the flights: Overview refresh and RSS.

    python -m bench.backends [--sizes 1,10,100] [--views 40] [--dir /tmp/...]

Each backend and size runs in a fresh process (`--worker`), which loads the data, serves the
same random filtered views (build_overview + to_json of every figure: the refresh callback's
work minus Dash) and reports its RSS. Next to them, measured in the same run: the raw work
(one filtered GROUP BY in bare DuckDB over the same file, per view) and the RSS of a worker
that imports everything and loads nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import psutil

from bench.backends_data import DEFAULT_DIR, build_sizes
from bench.measure import WARMUP, log, ms_since, pct
from bench.overview_form import OverviewForm, build_args, build_kwargs

BACKENDS = ("memory", "duckdb")
WORKER_CAP_S = 150.0  # a worker stops timing views after this long
BYTES_PER_ROW_IN_MEMORY = 320  # peak while the in-memory backend builds its arrays


def parse_sizes(text: str) -> list[int]:
    """'1,10,100' -> [1, 10, 100]; each a whole number of copies, at least 1."""
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are whole numbers of copies, >= 1")
    return sizes


def fits_in_memory(rows: int, available: int) -> bool:
    """Whether the in-memory backend's build peak fits in 60% of the available memory."""
    return rows * BYTES_PER_ROW_IN_MEMORY < 0.6 * available


def form_of(ds) -> OverviewForm:
    """The Overview's filters as the layout would offer them for this dataset."""
    form = OverviewForm.__new__(OverviewForm)
    form.categories = {c: ds.categories(c) for c in ds.spec.category_filters}
    form.ranges = {c: ds.bounds(c) for c in ds.spec.range_filters}
    span = ds.date_span
    form.dates = (span[0].isoformat(), span[1].isoformat()) if span else None
    form.bins = list(ds.spec.bin_columns)
    form.bins_default = form.bins[0] if form.bins else None
    form.missing = True if ds.missing_count else None
    form.first_category = next(iter(form.categories))
    form.first_range = next(iter(form.ranges))
    return form


def context_of(ds) -> SimpleNamespace:
    """What build_overview reads of the app's context."""
    spec = ds.spec
    return SimpleNamespace(
        spec=spec,
        dataset=ds,
        geo=spec.geo,
        multiclass=False,
        outcome=spec.target_.label or spec.target,
    )


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(backend: str, path: Path, spec, classes):
    """The dataset as the app serves it: scored, its unfiltered view precomputed."""
    if backend == "duckdb":
        from data.duck_dataset import DuckDataset

        ds = DuckDataset.open(spec, path, classes, work_dir=path.parent, scored=True)
        ds.precompute_full_view()
        return ds
    import numpy as np
    import pandas as pd

    from data.dataset import Dataset
    from data.target import encode

    frame = pd.read_parquet(path)
    frame[spec.target] = encode(frame[spec.target].astype("string"), list(classes))
    scores = frame.pop("__score").to_numpy(np.float32)
    ds = Dataset.from_frame(frame, spec, classes).with_scores(scores)
    del frame
    ds.precompute_full_view()
    gc.collect()
    return ds


def worker(backend: str, path: Path, scenarios: list[dict], classes) -> dict:
    """Load, time every view once (after a warm-up), and report the times and RSS."""
    from bench.tenx import time_build_overview
    from config import Settings
    from data.spec import load_spec

    spec = load_spec(Settings.from_env().spec_path)
    out = {"rss_imports_mb": rss_mb()}
    if backend == "none":
        return out
    started = time.perf_counter()
    ds = load(backend, path, spec, classes)
    out |= {"load_s": time.perf_counter() - started, "rss_loaded_mb": rss_mb()}
    ctx = context_of(ds)
    for s in scenarios[:WARMUP]:
        time_build_overview(ctx, s)
    times, started = [], time.perf_counter()
    for s in scenarios:
        if time.perf_counter() - started > WORKER_CAP_S:
            break
        times.append(time_build_overview(ctx, s))
    out |= {"times": times, "rss_served_mb": rss_mb(), "peak_mb": peak_mb()}
    return out


def bare_duckdb_ms(path: Path, spec, scenarios: list[dict], classes) -> list[float]:
    """The raw work per view: the view's rows filtered and grouped by the category chart's
    column (count and mean measure) in bare DuckDB over the same file."""
    import duckdb

    from data.duck_meta import read_meta
    from data.duck_sql import QUIET, quoted, view_sql, where_sql

    meta = read_meta(spec, (str(path),), tuple(classes))
    ds = _metadata_view(spec, meta)
    times = []
    with duckdb.connect() as con:
        con.execute(QUIET)
        con.execute(view_sql(spec, [str(path)], meta.number_columns, classes, True))
        for s in scenarios:
            filters = ds.parse_filters(*build_args(s)[:3], **build_kwargs(s))
            where = where_sql(filters, meta.missing_columns)
            started = time.perf_counter()
            con.execute(
                f"SELECT {quoted(spec.category_chart)}, count(*), avg(__m) FROM rows "
                f"WHERE {where.sql} GROUP BY 1",
                where.params,
            ).fetchall()
            times.append(ms_since(started))
    return times


def _metadata_view(spec, meta):
    """A DuckDataset that only parses filters (no connection is opened)."""
    from data.duck_dataset import DuckDataset

    return DuckDataset(spec, None, meta)


def run_worker(backend: str, path: Path, scenario_file: Path, classes) -> dict:
    """A fresh process for one backend and size; its JSON report."""
    command = [
        sys.executable,
        "-m",
        "bench.backends",
        "--worker",
        backend,
        "--file",
        str(path),
        "--scenarios",
        str(scenario_file),
        "--classes",
        json.dumps(list(classes)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log(f"worker {backend} {path.name} failed: {done.stderr.strip()[-400:]}")
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def result_row(size: int, rows: int, backend: str, report: dict, bare: list) -> dict:
    """One table row: refresh p50/p95 against the bare DuckDB GROUP BY, and RSS."""
    times = report.get("times", [])
    return {
        "size": f"{size}x",
        "rows": rows,
        "backend": backend,
        "n": len(times),
        "load_s": report.get("load_s"),
        "p50_ms": pct(times, 50),
        "p95_ms": pct(times, 95),
        "bare_p50_ms": pct(bare, 50),
        "p50_ratio": pct(times, 50) / pct(bare, 50) if times and bare else None,
        "rss_loaded_mb": report.get("rss_loaded_mb"),
        "rss_served_mb": report.get("rss_served_mb"),
        "peak_mb": report.get("peak_mb"),
        "skipped": report.get("skipped", ""),
    }


def table(rows: list[dict], imports_mb: float) -> str:
    """The results as a Markdown table."""
    head = (
        "| size | rows | backend | refresh p50 | p95 | bare DuckDB GROUP BY p50 | "
        "p50 ratio | RSS loaded | RSS after refreshes | peak RSS |"
    )
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        if r["skipped"]:
            lines.append(
                f"| {r['size']} | {r['rows']:,} | {r['backend']} | "
                f"skipped: {r['skipped']} |||||||"
            )
            continue
        lines.append(
            f"| {r['size']} | {r['rows']:,} | {r['backend']} | {r['p50_ms']:.0f} ms | "
            f"{r['p95_ms']:.0f} ms | {r['bare_p50_ms']:.0f} ms | "
            f"{r['p50_ratio']:.1f}× | {r['rss_loaded_mb']:.0f} MB | "
            f"{r['rss_served_mb']:.0f} MB | {r['peak_mb']:.0f} MB |"
        )
    lines.append(
        f"\nRSS of a worker that imports everything and loads nothing: "
        f"{imports_mb:.0f} MB. Views timed per row: see n in the JSON."
    )
    return "\n".join(lines)


def scenarios_for(path: Path, spec, classes, n: int) -> list[dict]:
    """n random filter changes, the same at every size: picked on the 1x data."""
    from data import aggregates as agg

    ds = load("memory", path, spec, classes)

    def rows_matching(s: dict) -> int:
        filters = ds.parse_filters(*build_args(s)[:3], **build_kwargs(s))
        return agg.kpis(ds.filter(filters))["rows"]

    return form_of(ds).scenarios(n, rows_matching)


def run(sizes: list[int], views: int, folder: Path) -> dict:
    """Every backend at every size; the table and the raw numbers."""
    from config import Settings
    from data.ingest import processed_info, processed_path
    from data.spec import load_spec

    settings = Settings.from_env()
    spec = load_spec(settings.spec_path)
    source = processed_path(settings, spec)
    classes = processed_info(source).classes
    files = build_sizes(source, spec, sorted({1, *sizes}), folder, progress=log)
    scenarios = scenarios_for(files[1], spec, classes, views)
    scenario_file = folder / "scenarios.json"
    scenario_file.write_text(json.dumps(scenarios))
    imports = run_worker("none", files[1], scenario_file, classes)
    rows = []
    for size in sizes:
        n_rows = import_rows(files[size])
        bare = bare_duckdb_ms(files[size], spec, scenarios, classes)
        for backend in BACKENDS:
            log(f"{backend} at {size}x ({n_rows:,} rows)")
            available = psutil.virtual_memory().available
            if backend == "memory" and not fits_in_memory(n_rows, available):
                report = {
                    "skipped": f"needs ~{n_rows * BYTES_PER_ROW_IN_MEMORY >> 30} GB"
                }
            else:
                report = run_worker(backend, files[size], scenario_file, classes)
            rows.append(result_row(size, n_rows, backend, report, bare))
    return {"rows": rows, "imports_mb": imports.get("rss_imports_mb", float("nan"))}


def import_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[1, 10, 100])
    parser.add_argument("--views", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--worker", choices=[*BACKENDS, "none"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scenarios", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--classes", default="[]", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        scenarios = json.loads(args.scenarios.read_text())
        report = worker(args.worker, args.file, scenarios, json.loads(args.classes))
        print(json.dumps(report))
        return
    res = run(args.sizes, args.views, args.dir)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, default=str))
    print(table(res["rows"], res["imports_mb"]))


if __name__ == "__main__":
    main()
