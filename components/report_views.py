"""Reports of what a user sees: the Overview for a shared link's filters, and one Predict
answer for a link's inputs, built from the same view-models and figure builders as the pages.
"""

from __future__ import annotations

import datetime as dt

from components.kpis import Kpi, kpi_figures
from components.overview import available_charts
from components.overview_view import build_overview
from components.predict_figures import answer_figures
from components.predict_link import inputs_from_query
from components.report import Report
from components.share import defaults, from_query
from components.theme import percent
from context import AppContext
from data.filters import Filters
from data.formats import plain, span
from data.names import option_label

MADE_AT = "%d %b %Y, %H:%M UTC"


def made_at(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime(MADE_AT)


def _day(day: dt.date) -> str:
    return day.strftime("%d %b %Y").lstrip("0")


def filters_in_words(
    ctx: AppContext, filters: Filters, bins: str | None
) -> list[tuple[str, str]]:
    """Each filter that narrows the view, as (what, value) in the user's words."""
    spec, words = ctx.spec, []
    full = ctx.dataset.date_span
    if full:
        start, end = filters.start or full[0], filters.end or full[1]
        note = "" if (start, end) == tuple(full) else " (of " + _range(full) + ")"
        words.append(("Dates", _range((start, end)) + note))
    for column, picks in filters.categories.items():
        names = ctx.dataset.names(column)
        words.append(
            (
                spec.label(column),
                ", ".join(option_label(p, names.get(p)) for p in picks),
            )
        )
    for column, (low, high) in filters.ranges.items():
        unit = _unit(ctx, column)
        words.append((spec.label(column), span(low, high) + unit))
    if not filters.keep_missing and ctx.dataset.missing_count:
        words.append(("Left out", ctx.dataset.missing_words))
    if len(words) == (1 if full else 0):
        words.append(("Filters", f"none: every one of the {spec.row_label}"))
    if bins:
        words.append(("Binned by", spec.label(bins)))
    return words


def _range(days) -> str:
    return f"{_day(days[0])} – {_day(days[1])}"


def _unit(ctx: AppContext, column: str) -> str:
    entry = ctx.service.schema.get(column)
    return f" {entry.unit}" if entry is not None and entry.unit else ""


def overview_report(ctx: AppContext, search: str | None, link: str) -> Report:
    """The Overview for a link's filters (FilterError or BadInput when they are not valid)."""
    spec = ctx.spec
    raw = from_query(search, spec.category_filters, spec.range_filters)
    bins = raw["bins"] or defaults(ctx)["bins"]
    result = build_overview(
        ctx, raw["dates"], raw["categories"], raw["ranges"], bins, "all", raw["missing"]
    )
    filters = ctx.dataset.parse_filters(
        raw["dates"], raw["categories"], raw["ranges"], raw["missing"]
    )
    order = [c for c in available_charts(ctx) if c in result.figures]
    return Report(
        title=f"{spec.title}: Overview",
        subtitle=spec.question,
        made_at=made_at(),
        model_version=ctx.service.version,
        facts=filters_in_words(ctx, filters, bins),
        kpis=kpi_figures(result.kpis, ctx),
        charts=[result.figures[c] for c in order],
        link=link,
    )


def _answer_kpis(answer, service) -> list[Kpi]:
    outcome = service.card.outcome
    if service.kind == "multiclass":
        return [
            Kpi(f"Most likely {outcome.lower()}", answer.label),
            Kpi("Its probability", percent(answer.value)),
        ]
    if service.kind == "binary":
        return [
            Kpi(f"Chance of: {outcome}", percent(answer.value)),
            Kpi("Band", answer.label),
        ]
    return [Kpi(f"Predicted {outcome.lower()}", plain(answer.value))]


def predict_report(
    ctx: AppContext, search: str | None, link: str, user: str, request_id
) -> Report:
    """One answer for a link's inputs, scored and logged like any other prediction
    (InputError or BadInput when the inputs cannot be scored)."""
    models = ctx.models
    service = models.current()
    raw = inputs_from_query(search, service.schema, service.defaults())
    service, answer = models.predict(
        raw, source="report", user=user, request_id=request_id
    )
    inputs = [
        (
            entry.label + (f" ({entry.unit})" if entry.unit else ""),
            _shown(answer.inputs[c]),
        )
        for c, entry in service.schema.items()
    ]
    return Report(
        title=f"{ctx.spec.title}: one prediction",
        subtitle=ctx.spec.question,
        made_at=made_at(),
        model_version=answer.version,
        facts=inputs,
        facts_title="Inputs",
        kpis=_answer_kpis(answer, service),
        charts=answer_figures(answer, service),
        warnings=answer.warnings,
        link=link,
    )


def _shown(value) -> str:
    return value if isinstance(value, str) else plain(value)
