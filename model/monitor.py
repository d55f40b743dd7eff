"""python -m model.monitor: check the spec's alert thresholds, or recount the aggregates.

python -m model.monitor check [--from DAY] [--to DAY] [--days N] [--version V] [--source S]
                              [--webhook URL]
python -m model.monitor rebuild

`check` reads the same report as the Monitor page (the champion, over all logged event time
unless a window is given), prints each breach, and POSTs them as JSON to the webhook
(`--webhook` or FLIGHTDECK_ALERT_WEBHOOK) when there is one. Exit codes: 0 nothing
breached, 1 a threshold is breached, 2 it could not check (usage, no data, no database).
`rebuild` recounts the aggregates from the log (for rows logged before monitoring existed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

import sqlalchemy as sa

from config import Settings
from data.db import Database, DatabaseError, first_line
from data.spec import load_spec
from data.spec_errors import SpecError
from data.stores import PredictionLog
from model.cli import day_argument
from model.registry import ModelLoadError
from model.train import registry_for
from monitor import alerts
from monitor.rebuild import rebuild
from monitor.report import Monitored, build_report, span
from monitor.report_types import Window

OK, BREACHED, UNUSABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model.monitor")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="print breached thresholds")
    check.add_argument("--from", dest="start", type=day_argument)
    check.add_argument("--to", dest="end", type=day_argument)
    check.add_argument("--days", type=int, help="only the last N days logged")
    check.add_argument("--version", help="default: the champion")
    check.add_argument("--source", help="only this source (replay, whatif, ...)")
    check.add_argument("--webhook", help="default: $FLIGHTDECK_ALERT_WEBHOOK")
    commands.add_parser("rebuild", help="recount the aggregates from the log")
    return parser


def _window(args, logged: tuple[dt.date, dt.date]) -> Window:
    start, end = args.start or logged[0], args.end or logged[1]
    if args.days:
        start = max(start, end - dt.timedelta(days=args.days - 1))
    return Window(start, end, "day")


def check(monitored: Monitored, args) -> int:
    version = args.version or monitored.champion()
    logged = span(monitored, version) if version else None
    if logged is None:
        print(
            f"nothing logged for {version} yet: run `python -m model.replay` first",
            file=sys.stderr,
        )
        return UNUSABLE
    window = _window(args, logged)
    report = build_report(monitored, window, version=version, source=args.source)
    print(
        f"{report.version}, {window.start} to {window.end}: "
        f"{report.totals['n']:,} predictions, {report.totals['labeled']:,} with outcomes"
    )
    if report.empty:
        print(
            "no predictions in this window and source: nothing to check",
            file=sys.stderr,
        )
        return UNUSABLE
    for alert in report.alerts:
        print(f"ALERT {alert.name}: {alert.message}")
    if not report.alerts:
        print("no threshold breached")
        return OK
    url = args.webhook or os.environ.get("FLIGHTDECK_ALERT_WEBHOOK", "")
    if url:
        try:
            status = alerts.post(url, alerts.payload(report, monitored.spec.name))
            print(f"webhook answered {status}")
        except (OSError, ValueError) as exc:
            print(f"webhook failed: {first_line(exc)}", file=sys.stderr)
    return BREACHED


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        spec = load_spec(settings.spec_path)
        database = Database(settings.database).migrate()
        registry = registry_for(settings, spec, database)
        if args.command == "rebuild":
            log = PredictionLog.of(database, spec, registry)
            print(f"recounted {rebuild(log):,} logged predictions")
            return OK
        return check(Monitored(database, spec, registry), args)
    except (
        SpecError,
        ModelLoadError,
        DatabaseError,
        sa.exc.SQLAlchemyError,
        OSError,
        ValueError,
    ) as exc:
        print(f"monitor: {first_line(exc)}", file=sys.stderr)
        return UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
