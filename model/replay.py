"""python -m model.replay: send held-out rows through the serving models as traffic.

python -m model.replay                               # the months after the validation window
python -m model.replay --from 2013-11-01 --to 2013-11-30 --rate 200 --limit 5000
python -m model.replay --no-outcomes                 # outcomes later: python -m model.outcomes

Rows are logged with source "replay", their event time and event key; their own outcomes
are attached at the end unless --no-outcomes. Exit codes: 0 done, 2 bad usage or dates,
1 failure (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys

from config import Settings
from data.db import Database
from data.spec import load_spec
from model import dask_cli
from model.cli import day_argument, exit_on_failure, positive
from model.train import load_processed
from monitor.replay import (
    ReplayError,
    ReplayOptions,
    ReplaySummary,
    held_out,
    key_columns_present,
    replay,
)


def parse_options(argv: list[str] | None) -> ReplayOptions:
    """The command line as options; bad usage exits 2 (argparse)."""
    return parse_args(argv)[0]


def parse_args(argv: list[str] | None) -> tuple[ReplayOptions, argparse.Namespace]:
    """The options, and the command line itself (for --dask and --source)."""
    parser = argparse.ArgumentParser(
        prog="python -m model.replay",
        description="Replay held-out rows through the serving models (source 'replay').",
    )
    parser.add_argument(
        "--from", dest="start", type=day_argument, help="first day (inclusive)"
    )
    parser.add_argument(
        "--to", dest="end", type=day_argument, help="last day (inclusive)"
    )
    parser.add_argument(
        "--rate", type=positive(float), help="rows per second (default: at once)"
    )
    parser.add_argument("--limit", type=positive(int), help="at most this many rows")
    parser.add_argument(
        "--batch", type=positive(int), default=ReplayOptions.batch, help="rows a call"
    )
    parser.add_argument(
        "--user", default=ReplayOptions.user, help="the user the log names"
    )
    parser.add_argument(
        "--no-outcomes", action="store_true", help="do not attach the rows' outcomes"
    )
    parser.add_argument(
        "--source", help="with --dask: Parquet or CSV files (a glob or fsspec URL)"
    )
    dask_cli.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.source and not args.dask:
        parser.error("--source reads with dask: add --dask")
    options = ReplayOptions(
        start=args.start,
        end=args.end,
        rate=args.rate,
        limit=args.limit,
        batch=args.batch,
        user=args.user,
        outcomes=not args.no_outcomes,
        progress=sys.stderr.isatty(),
    )
    return options, args


def run(options: ReplayOptions, settings: Settings) -> ReplaySummary:
    """Load the data and the serving models the app uses, then replay."""
    from app import serving_models  # the app's own models, logging to its database

    spec = load_spec(settings.spec_path)
    frame, _ = load_processed(settings, spec, _to_stderr, build=settings.auto_build)
    key_columns_present(frame, spec)
    rows = held_out(frame, spec, options)
    database = Database(settings.database).migrate()
    models, prediction_log = serving_models(settings, spec, database)
    return replay(models, prediction_log, spec, rows, options)


def _to_stderr(message: str) -> None:
    """Building the data (when missing) says what it does, off the summary's stdout."""
    print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    options, args = parse_args(argv)
    with exit_on_failure("replay", usage=ReplayError):
        if args.dask:  # each partition's rows replayed by a dask worker
            summary = dask_cli.run_replay(options, Settings.from_env(), args)
        else:
            summary = run(options, Settings.from_env())
    print(summary.line())


if __name__ == "__main__":
    main()
