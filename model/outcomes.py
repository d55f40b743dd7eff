"""python -m model.outcomes FILE: attach outcomes that arrived later to logged predictions.

python -m model.outcomes outcomes.csv              # by request_id, else the spec's keys
python -m model.outcomes outcomes.csv --column delayed --dry-run

Rows are matched by a `request_id` column when the file has one, otherwise by the spec's
[monitor] keys (flights: carrier, flight, sched_dep). The first of duplicate rows is used;
outcomes already attached are kept, so running the same file twice changes nothing.
Exit codes: 0 it ran (even with unmatched rows), 2 the file cannot be used, 1 failure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from config import Settings
from data.db import Database
from data.spec import load_spec
from data.stores import PredictionLog
from model.cli import exit_on_failure
from model.train import registry_for
from monitor.outcomes import Actuals, OutcomeFileError, match_outcomes, read_outcomes


def champion_card(registry):
    """The card whose classes outcomes are read against (the champion, else the newest)."""
    version = registry.resolve("champion") or max(registry.versions(), default=None)
    if version is None:
        raise LookupError("no model is trained yet; run python -m model.train")
    return registry.card(version)


def run(path: Path, column: str | None, dry_run: bool, settings: Settings) -> str:
    """Match the file's outcomes and attach them; the report as one line."""
    spec = load_spec(settings.spec_path)
    frame = read_outcomes(path)
    database = Database(settings.database).migrate()
    registry = registry_for(settings, spec, database)
    prediction_log = PredictionLog.of(database, spec, registry)
    report = match_outcomes(
        frame,
        prediction_log,
        Actuals.for_card(champion_card(registry)),
        column=column or spec.target,
        keys=spec.monitor.keys,
        origin=f"file:{path.name}",
        dry_run=dry_run,
    )
    return f"outcomes {path}: {report.summary(dry_run)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m model.outcomes",
        description="Attach outcomes (CSV or Parquet) to logged predictions.",
    )
    parser.add_argument("file", type=Path, help="a CSV or Parquet file of outcomes")
    parser.add_argument("--column", help="the outcome column (default: the target)")
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would attach; write nothing"
    )
    args = parser.parse_args(argv)
    with exit_on_failure("outcomes", usage=OutcomeFileError):
        print(run(args.file, args.column, args.dry_run, Settings.from_env()))


if __name__ == "__main__":
    main()
