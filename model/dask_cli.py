"""`--dask` for python -m model.batch and python -m model.replay: the same work, its
partitions spread over a dask.distributed cluster (model/dask_batch.py).

python -m model.batch 'exports/2026-*.parquet' -o scored.parquet --dask
python -m model.batch s3://team/flights/*.csv --to-db scored --dask --scheduler tcp://h:8786
python -m model.replay --dask                     # the processed data, 2 local workers
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from config import Settings
from data.batches import BatchStore, output_path
from data.db import Database, first_line
from data.spec import load_spec
from model.batch_check import check_frame
from model.cli import positive
from model.dask_batch import (
    WORKERS,
    ScoreJob,
    SourceError,
    check_partition,
    cluster_client,
    merged_report,
    read_source,
    run_partitions,
    score_partition,
    worker_models,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both CLIs take to run on Dask."""
    group = parser.add_argument_group("dask (beyond one process)")
    group.add_argument(
        "--dask",
        action="store_true",
        help="read with dask.dataframe and score partitions on a dask cluster",
    )
    group.add_argument(
        "--scheduler", help="a running dask scheduler (default: a LocalCluster)"
    )
    group.add_argument(
        "--workers",
        type=positive(int),
        default=WORKERS,
        help="LocalCluster worker processes",
    )


def run_batch(args: argparse.Namespace, settings: Settings) -> int:
    """model.batch's run on Dask: check every partition, then score them; the exit code."""
    from app import serving_models
    from model.batch import deliver, refuse_existing_table, say

    spec = load_spec(settings.spec_path)
    database = Database(settings.database).migrate()
    models, _ = serving_models(settings, spec, database)
    try:
        source, name = read_source(str(args.input)), str(args.input).rstrip("/")
    except SourceError as exc:
        say(f"batch: {exc}")
        return 1
    name = name.split("/")[-1][:255]
    header = check_frame(models.current(), source._meta)  # the columns, before any work
    if header.missing_columns:
        say(f"batch: {name} cannot be scored", *header.summary_lines()[1:])
        return 1
    with cluster_client(args.scheduler, args.workers) as client:
        report = merged_report(
            run_partitions(client, source, check_partition, settings)
        )
        if not report.usable:
            say(f"batch: {name} cannot be scored", *report.summary_lines())
            return 1
        if refuse_existing_table(args, database):
            return 1
        store = BatchStore(database)
        batch_id = store.start(args.user, name, report.rows, models.current().version)
        store.set_refused(batch_id, report.refused_rows)
        job = ScoreJob(settings, batch_id, args.user, args.chunk)
        try:
            pieces = run_partitions(client, source, score_partition, job, _progress())
        except Exception as exc:
            store.finish(batch_id, "failed", None, first_line(exc))
            say(f"batch: failed: {first_line(exc)}")
            return 1
    record = _written(settings, store, batch_id, pieces, report, args)
    return deliver(args, settings, database, record, report)


def _written(settings, store, batch_id, pieces, report, args):
    """The pieces as the batch's one output file (whole or not at all), batch finished."""
    from model.batch_run import write_output

    scored = pd.concat([p for p in pieces if len(p)], ignore_index=True)
    fmt = "parquet" if args.to_db or not args.output else args.output.suffix[1:]
    path = output_path(settings.home, batch_id, fmt.lower())
    partial = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_output(scored, partial, fmt.lower())
    os.replace(partial, path)
    message = f"{len(scored):,} rows scored, {report.refused_rows:,} refused"
    return store.finish(batch_id, "done", path.name, message)


def _progress():
    if not sys.stderr.isatty():
        return None
    return lambda done, total: print(
        f"\rpartitions scored: {done}/{total}", end="", file=sys.stderr
    )


def run_replay(options, settings: Settings, args: argparse.Namespace):
    """model.replay's run on Dask: each partition's held-out rows replayed by a worker."""
    from data.ingest import processed_path
    from model.train import load_processed
    from monitor.replay import ReplayError, ReplaySummary, key_columns_present

    spec = load_spec(settings.spec_path)
    _refuse_unpartitionable(options, spec, ReplayError)
    location = args.source or str(processed_path(settings, spec))
    if not args.source and not Path(location).is_file():
        load_processed(settings, spec, _to_stderr, build=settings.auto_build)
    source = read_source(location)
    key_columns_present(source._meta, spec)
    Database(settings.database).migrate()
    if source.npartitions < 2 * args.workers:  # one file of one row group: share it
        source = source.repartition(npartitions=4 * args.workers)
    with cluster_client(args.scheduler, args.workers) as client:
        started = time.perf_counter()
        parts = run_partitions(client, source, replay_partition, (settings, options))
    summary = ReplaySummary(refused=Counter(), seconds=time.perf_counter() - started)
    for part in parts:
        summary.sent, summary.logged = (
            summary.sent + part.sent,
            summary.logged + part.logged,
        )
        summary.refused.update(part.refused)
        if part.attached is not None:
            summary.attached = (summary.attached or 0) + part.attached
    if summary.sent == 0:
        raise ReplayError("no rows to replay in that window")
    return summary


def _refuse_unpartitionable(options, spec, error) -> None:
    """What needs every row in one place (pace, a first-N limit, a random split)."""
    if options.rate or options.limit:
        raise error(
            "--rate and --limit pace or cut one stream; leave them out with --dask"
        )
    if options.start and options.end and options.end < options.start:
        raise error(f"--to {options.end} is before --from {options.start}")
    if not (options.start or options.end or spec.valid_end):
        raise error(
            "--dask needs --from/--to or a spec with a [time] validation window"
        )


def replay_partition(part: pd.DataFrame, job):
    """One partition's held-out rows through this worker's models, outcomes attached."""
    from dataclasses import replace

    from monitor.replay import ReplayError, ReplaySummary, held_out, replay

    settings, options = job
    spec = load_spec(settings.spec_path)
    try:
        rows = held_out(part, spec, options)
    except ReplayError:  # none of this partition's rows are in the window
        return ReplaySummary()
    models, prediction_log = worker_models(settings)
    quiet = replace(options, progress=False)
    return replay(models, prediction_log, spec, rows, quiet)


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)
