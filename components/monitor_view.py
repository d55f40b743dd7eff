"""Monitor view-model: the controls checked server-side, one report, every section's content.

Plain functions of the app context, so the callbacks stay thin and tests call them directly.
The refresh reads the maintained aggregates once (monitor.report.build_report); nothing here
scans the prediction log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from components import monitor_sections as sections
from context import AppContext
from data.inputs import BadInput, shorten
from monitor import log_view, queries, report
from monitor.report_types import GRANULARITIES, MonitorReport, Window

ALL_SOURCES = "all"
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2100, 12, 31)
MAX_DAYS = 3660
WEEKLY_AFTER_DAYS = 92  # a longer default window is drawn by week


@dataclass(frozen=True)
class MonitorQuery:
    """What the page asks for, validated: a window, a version, one source or all."""

    window: Window
    version: str
    source: str | None

    def to_store(self) -> dict:
        return {
            "start": self.window.start.isoformat(),
            "end": self.window.end.isoformat(),
            "granularity": self.window.granularity,
            "version": self.version,
            "source": self.source or ALL_SOURCES,
        }


def parse_day(value, name: str) -> dt.date:
    """A day from the date picker ('2013-11-01' or with a time), within a sane range."""
    day = log_view.parse_day(value, name)
    if not EARLIEST <= day <= LATEST:
        raise BadInput(f"{name} must fall between {EARLIEST.year} and {LATEST.year}")
    return day


def parse_query(
    ctx: AppContext, start, end, granularity, version, source
) -> MonitorQuery:
    """The controls as the client sent them, checked against what is known; else BadInput."""
    first, last = parse_day(start, "The first day"), parse_day(end, "The last day")
    if last < first:
        raise BadInput("The last day comes before the first day")
    if (last - first).days >= MAX_DAYS:
        raise BadInput(f"Pick a window of at most {MAX_DAYS:,} days")
    if granularity not in GRANULARITIES:
        raise BadInput("Granularity must be day or week")
    if not isinstance(version, str) or version not in known_versions(ctx):
        raise BadInput(f"There is no model version '{shorten(version)}'")
    return MonitorQuery(Window(first, last, granularity), version, _source(ctx, source))


def _source(ctx: AppContext, source) -> str | None:
    if source in (None, ALL_SOURCES):
        return None
    if not isinstance(source, str) or source not in known_sources(ctx):
        raise BadInput(f"No prediction was logged from source '{shorten(source)}'")
    return source


def known_versions(ctx: AppContext) -> list[str]:
    return ctx.models.registry.versions()


def known_sources(ctx: AppContext) -> list[str]:
    """Every source with logged traffic (from the aggregates, not the log)."""
    with ctx.database.engine.connect() as connection:
        return queries.sources(connection)


def version_options(ctx: AppContext) -> list[dict]:
    """Every version, newest first, with its alias when it has one."""
    aliases = {v: a for a, v in ctx.models.registry.aliases().items()}
    return [
        {"label": f"{v} ({aliases[v]})" if v in aliases else v, "value": v}
        for v in reversed(known_versions(ctx))
    ]


def source_options(ctx: AppContext) -> list[dict]:
    return [{"label": "All sources", "value": ALL_SOURCES}] + [
        {"label": s, "value": s} for s in known_sources(ctx)
    ]


def default_window(ctx: AppContext, version: str) -> tuple[str | None, str | None, str]:
    """The span of the version's busiest source's event times, at most the longest window
    the page accepts, and a granularity that suits it."""
    logged = report.span(ctx, version, busiest=True)
    if logged is None:
        return None, None, "day"
    last = logged[1]
    first = max(logged[0], last - dt.timedelta(days=MAX_DAYS - 1))
    granularity = "week" if (last - first).days > WEEKLY_AFTER_DAYS else "day"
    return first.isoformat(), last.isoformat(), granularity


PAGE_FILTERED = ("event_time", "version", "source")  # set by the page's controls


def _valid_filter(name: str, model) -> bool:
    try:
        log_view.where_clauses({name: model})
    except BadInput:
        return False
    return True


def _page_filters(query: MonitorQuery) -> dict:
    """The page's window, version and source as the grid's column filters."""
    window = query.window
    filters = {
        "event_time": {
            "filterType": "date",
            "type": "inRange",
            "dateFrom": f"{window.start} 00:00:00",
            "dateTo": f"{window.end} 00:00:00",
        },
        "version": {"filterType": "text", "type": "equals", "filter": query.version},
    }
    if query.source:
        filters["source"] = {
            "filterType": "text",
            "type": "equals",
            "filter": query.source,
        }
    return filters


def grid_filters(query: MonitorQuery, current) -> dict:
    """The log grid's filter model: the page's window, version and source, plus any other
    column filters the user set in the grid (kept only if they are valid)."""
    kept = {
        name: model
        for name, model in (current.items() if isinstance(current, dict) else ())
        if name in log_view.COLUMNS
        and name not in PAGE_FILTERED
        and _valid_filter(name, model)
    }
    return {**kept, **_page_filters(query)}


def build(ctx: AppContext, query: MonitorQuery) -> MonitorReport:
    """The report for a validated query: aggregates only."""
    return report.build_report(
        ctx, query.window, version=query.version, source=query.source
    )


def sections_of(result: MonitorReport) -> dict:
    """Every card's content, by the name of its container."""
    options, feature = sections.feature_options(result)
    return {
        "alerts": sections.alerts_banner(result),
        "kpis": sections.kpi_row(result),
        "traffic": sections.traffic(result),
        "predictions": sections.predictions(result),
        "drift": sections.drift_table(result),
        "feature_options": options,
        "feature": feature,
        "performance": sections.performance(result),
        "segments": sections.segments(result),
        "challenger": sections.challenger(result),
    }


def feature_label(ctx: AppContext, version: str, feature) -> str:
    """The feature's label from the version's card; BadInput when it has no such feature."""
    card = ctx.models.registry.card(version)
    for entry in card.features:
        if entry.column == feature:
            return entry.label
    raise BadInput(f"Model {version} has no feature '{shorten(feature)}'")


def stored_query(ctx: AppContext, stored) -> MonitorQuery:
    """The query the last refresh stored in the page, checked again (it came back from the
    client)."""
    if not isinstance(stored, dict):
        raise BadInput("Pick a window first")
    return parse_query(
        ctx,
        stored.get("start"),
        stored.get("end"),
        stored.get("granularity"),
        stored.get("version"),
        stored.get("source"),
    )
