"""python -m model.batch: score a CSV or Parquet file with the serving model, as the Batch
page does, and write the scored rows to a file and/or a table of the app's database.

python -m model.batch flights.csv -o scored.csv
python -m model.batch flights.parquet -o scored.parquet --user nightly
python -m model.batch flights.csv --to-db scored_flights --if-exists replace

The file is checked first (the same checks and caps as the page); an unusable file prints
its report and nothing is scored. Every scored row is logged with source "batch", the user
and one batch id. Exit codes: 0 done, 1 unusable file or failure, 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from tqdm import tqdm

from config import Settings
from data.batches import BatchStore
from data.db import Database
from data.spec import load_spec
from data.tables import metadata
from data.uploads import (
    MAX_UPLOAD_BYTES,
    UploadError,
    file_format,
    read_table,
    too_big,
)
from model import dask_cli
from model.batch_check import check_frame
from model.batch_run import run_batch, write_output
from model.cli import exit_on_failure, positive

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
APP_PREFIXES = ("monitor_", "sqlite_", "alembic_")


class BatchUsageError(ValueError):
    """What was asked cannot be done as asked (exit 2)."""


def table_name(text: str) -> str:
    """An argparse type: a plain identifier that is not one of the app's own tables."""
    if not IDENTIFIER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"'{text[:40]}' is not a plain table name (letters, digits, _; at most 63)"
        )
    own = {name.lower() for name in metadata.tables} | {"alembic_version"}
    if text.lower() in own or text.lower().startswith(APP_PREFIXES):
        raise argparse.ArgumentTypeError(f"'{text}' is one of the app's own tables")
    return text


def output_file(text: str) -> Path:
    """An argparse type: a .csv or .parquet path."""
    try:
        file_format(text)
    except UploadError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return Path(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.batch",
        description="Score a CSV or Parquet file with the serving model (source 'batch').",
    )
    parser.add_argument(
        "input", help="the file to score (.csv or .parquet; with --dask, a glob or URL)"
    )
    parser.add_argument("-o", "--output", type=output_file, help="the scored file")
    parser.add_argument(
        "--to-db", type=table_name, help="also write them to this table"
    )
    parser.add_argument(
        "--if-exists", choices=("fail", "replace", "append"), default="fail"
    )
    parser.add_argument("--user", default="batch", help="the user the log names")
    parser.add_argument("--chunk", type=positive(int), default=5000, help="rows a call")
    dask_cli.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.output is None and args.to_db is None:
        parser.error("say where the scored rows go: -o FILE and/or --to-db TABLE")
    return args


def read_input(path: Path):
    """The input file's table; UploadError when it cannot be used."""
    fmt = file_format(path.name)
    if not path.is_file():
        raise BatchUsageError(f"no file {path}")
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise too_big()
    return fmt, read_table(path.read_bytes(), path.name)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read, check, score, write; the exit code."""
    if args.dask:  # the same checks and log, partitions scored on a dask cluster
        return dask_cli.run_batch(args, settings)
    from app import serving_models  # the app's own models, logging to its database

    path = Path(args.input)
    _, frame = read_input(path)
    spec = load_spec(settings.spec_path)
    database = Database(settings.database).migrate()
    models, _ = serving_models(settings, spec, database)
    report = check_frame(models.current(), frame)
    if not report.usable:
        say(f"batch: {path.name} cannot be scored", *report.summary_lines())
        return 1
    if refuse_existing_table(args, database):
        return 1
    record = _score(args, settings, models, database, frame, report)
    return deliver(args, settings, database, record, report)


def refuse_existing_table(args: argparse.Namespace, database: Database) -> bool:
    """--to-db names a table that exists and --if-exists is fail: said, and True."""
    if args.to_db and args.if_exists == "fail" and _exists(database, args.to_db):
        say(f"batch: table {args.to_db} exists; use --if-exists replace or append")
        return True
    return False


def deliver(args, settings: Settings, database: Database, record, report) -> int:
    """The finished batch's file to -o and/or its rows to --to-db; the exit code."""
    if record.status != "done":
        say(f"batch: {record.status}: {record.message}")
        return 1
    scored = settings.home / "batches" / record.output
    if args.output:
        _copy(scored, args.output)
    if args.to_db:
        _to_table(database, pd.read_parquet(scored), args.to_db, args.if_exists)
    say(*report.summary_lines()[1:])
    print(f"batch {record.id}: {record.message} -> {args.output or args.to_db}")
    return 0


def _score(args, settings, models, database, frame, report):
    # a table is written from the Parquet (typed, unescaped); a CSV -o is made from it
    fmt = file_format(args.output.name) if args.output else "parquet"
    fmt = "parquet" if args.to_db else fmt
    bar = tqdm(total=report.valid_rows, unit="row", disable=not sys.stderr.isatty())
    with bar:
        record = run_batch(
            models,
            frame,
            report,
            store=BatchStore(database),
            home=settings.home,
            user=args.user,
            file_name=Path(args.input).name,
            fmt=fmt,
            chunk=args.chunk,
            progress=lambda done, _total: bar.update(done - bar.n),
        )
    if models.shadow is not None:  # the challenger's answers are written before we exit
        models.shadow.flush(timeout_s=60.0)
    return record


def _exists(database: Database, table: str) -> bool:
    return sa.inspect(database.engine).has_table(table)


def _copy(source: Path, target: Path) -> None:
    """The scored file at `target` in its own format, whole or not at all."""
    partial = target.with_name(f".{target.name}.part")
    try:
        if source.suffix == target.suffix.lower():
            shutil.copyfile(source, partial)
        else:
            write_output(pd.read_parquet(source), partial, "csv")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _to_table(database: Database, rows: pd.DataFrame, table: str, if_exists: str):
    """The scored rows as a table (pandas to_sql, one transaction)."""
    with database.engine.begin() as connection:
        rows.to_sql(table, connection, if_exists=if_exists, index=False, chunksize=5000)


def say(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    code = 1
    with exit_on_failure("batch", usage=BatchUsageError):
        try:
            code = run(args, Settings.from_env())
        except UploadError as exc:
            say(f"batch: {Path(args.input).name} cannot be used: {exc}")
        except KeyboardInterrupt:
            say("batch: cancelled")
    raise SystemExit(code)


if __name__ == "__main__":
    main()
