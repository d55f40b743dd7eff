"""Overview view-model: validated filters -> one Dataset view -> KPIs, figures and table rows.

A plain function of the app context, so callbacks stay thin and the bench can call it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components import class_figures, ids
from components import overview_figures as figures
from components.overview import available_charts
from components.route_map import MAP_ORIGIN_TRACE, route_map
from components.routes_table import route_columns
from components.theme import Figure, without_nan
from context import AppContext
from data import aggregates as agg
from data.filters import FilterError
from data.formats import csv_safe
from data.inputs import shorten
from data.names import short_label

TOP_ROUTES = 50
MAP_LINES = 40
FIRST_SCREEN = 3  # the charts whose tops show in a 1440x900 window, drawn with the KPIs


@dataclass(frozen=True)
class OverviewResult:
    kpis: dict
    figures: dict[str, Figure]
    routes: list[dict]


def _class_mix_figure(chart: str, view, ctx: AppContext, bins_column) -> Figure:
    """The multi-class version of a chart: shares of each class instead of one rate."""
    spec, classes = ctx.spec, list(view.classes)
    outcome = ctx.outcome
    if chart == ids.CATEGORY_CHART:
        column = spec.category_chart
        frame = agg.class_mix_by_category(view, column)
        label = spec.label(column)
        codes, names = frame[column].astype(str).tolist(), view.names(column)
        return class_figures.class_mix_bars(
            codes,
            frame,
            classes,
            f"{outcome} by {label.lower()}",
            label,
            ticktext=[short_label(c, names.get(c)) for c in codes] if names else None,
        )
    if chart == ids.TREND_CHART:
        return class_figures.class_mix_trend(
            agg.class_mix_daily(view), classes, f"{outcome}: 7-day share of each class"
        )
    frame = agg.class_mix_by_bins(view, bins_column)
    label = spec.label(bins_column)
    return class_figures.class_mix_bars(
        figures.bin_names(frame), frame, classes, f"{outcome} by {label.lower()}", label
    )


def _figure(chart: str, view, ctx: AppContext, bins_column: str | None) -> Figure:
    spec, outcome, percent = ctx.spec, ctx.outcome, ctx.spec.is_classification
    if ctx.multiclass and chart in (
        ids.CATEGORY_CHART,
        ids.TREND_CHART,
        ids.BINS_CHART,
    ):
        return _class_mix_figure(chart, view, ctx, bins_column)
    if chart == ids.CATEGORY_CHART:
        column = spec.category_chart
        return figures.rate_by_category(
            agg.by_category(view, column),
            column,
            f"{outcome} by {spec.label(column).lower()}",
            outcome,
            percent,
            names=view.names(column),
            counted=spec.row_label,
        )
    if chart == ids.HEATMAP_CHART:
        return figures.hour_weekday_heatmap(
            agg.hour_weekday(view), f"{outcome}: weekday × hour", outcome
        )
    if chart == ids.TREND_CHART:
        return figures.daily_trend(
            agg.daily(view), f"{outcome}, day by day", outcome, percent
        )
    if chart == ids.DISTRIBUTION_CHART:
        unit = f" ({spec.measure_unit})" if spec.measure_unit else ""
        return figures.measure_distribution(
            agg.measure_histogram(view),
            f"Distribution of {spec.measure_label.lower()}",
            spec.measure_label + unit,
            spec.measure_threshold,
            spec.row_label.capitalize(),
        )
    if chart == ids.BINS_CHART:
        label = spec.label(bins_column)
        return figures.rate_by_bins(
            agg.by_bins(view, bins_column),
            f"{outcome} by {label.lower()}",
            label,
            outcome,
            percent,
            counted=spec.row_label,
        )
    raise KeyError(chart)


def _map_figure(ctx: AppContext, view, top) -> Figure:
    geo = ctx.geo
    return route_map(
        agg.route_coordinates(view, top.head(MAP_LINES)),
        agg.airports(view, "origin"),
        agg.airports(view, "dest"),
        f"The busiest {MAP_LINES} routes",
        ctx.outcome,
        names=(view.names(geo.origin), view.names(geo.dest)),
        counted=ctx.spec.row_label,
    )


def _route_rows(routes) -> list[dict]:
    """Table rows: names, counts and rounded means (NaN becomes empty)."""
    columns = [c for c in routes.columns if c not in ("labelled", "score_mean")]
    digits = {"target_mean": 4, "measure_mean": 2}
    values = {}
    for column in columns:
        data = routes[column].to_numpy()
        if column in digits:
            data = [None if v != v else round(float(v), digits[column]) for v in data]
        elif data.dtype.kind in "iu":
            data = data.tolist()
        elif data.dtype == object:
            data = [csv_safe(str(v)) for v in data]
        values[column] = data
    return [
        dict(zip(columns, row, strict=True))
        for row in zip(*values.values(), strict=True)
    ]


def routes_csv(
    ctx: AppContext, dates, categories: dict, ranges: dict, missing=None
) -> str:
    """The busiest routes of a view as CSV, headed as the table is (text cells escaped)."""
    view = ctx.dataset.filter(
        ctx.dataset.parse_filters(dates, categories, ranges, missing)
    )
    columns = route_columns(ctx)
    rows = _route_rows(agg.routes(view, top=TOP_ROUTES))
    frame = pd.DataFrame(rows, columns=[field for field, _, _ in columns])
    frame.columns = [csv_safe(header) for _, header, _ in columns]
    return frame.to_csv(index=False)


def first_screen(ctx: AppContext) -> list[str]:
    """The charts drawn with the KPIs (those a laptop shows first); the others follow after
    first paint."""
    return available_charts(ctx)[:FIRST_SCREEN]


def build_overview(
    ctx: AppContext,
    dates,
    categories: dict,
    ranges: dict,
    bins_column: str | None,
    part: str = "all",
    missing=None,
) -> OverviewResult:
    """What the Overview shows for one set of raw filter values (validated here).

    `part`: "all"; "first", the KPIs and the first screen's charts; or "rest", the other
    charts and the routes (kpis is then None). `missing`: keep (True, None) or leave out
    (False) the rows with no value in a range filter.
    """
    spec = ctx.spec
    if spec.bin_columns and bins_column not in spec.bin_columns:
        raise FilterError(f"'{shorten(bins_column)}' is not a column you can bin by")
    view = ctx.dataset.filter(
        ctx.dataset.parse_filters(dates, categories, ranges, missing)
    )
    first = first_screen(ctx)
    charts = [
        chart
        for chart in available_charts(ctx)
        if part == "all" or (chart in first) == (part == "first")
    ]
    out = {
        chart: _figure(chart, view, ctx, bins_column)
        for chart in charts
        if chart != ids.MAP_CHART
    }
    routes, table = [], ctx.geo is not None and part != "first"
    if table or ids.MAP_CHART in charts:
        top = agg.routes(view, top=TOP_ROUTES)
        if ids.MAP_CHART in charts:
            out[ids.MAP_CHART] = _map_figure(ctx, view, top)
        routes = _route_rows(top) if table else []
    kpis = agg.kpis(view) if part != "rest" else None
    shown = {c: without_nan(out[c]) for c in charts if c in out}
    return OverviewResult(kpis, shown, routes)


def clicked_category(
    ctx: AppContext, source, point: dict | None
) -> tuple[str | None, str | None]:
    """Which filter a chart click sets, and to what; (None, None) when the click is not usable."""
    if point is None:
        return None, None
    spec = ctx.spec
    if source == ids.CATEGORY_CHART:
        # The bars lie down (the code is y); a multi-class mix stands up (the code is x).
        column = spec.category_chart
        value = point.get("y") if isinstance(point.get("y"), str) else point.get("x")
    elif source == ids.MAP_CHART and ctx.geo:
        value = point.get("text")
        column = (
            ctx.geo.origin
            if point.get("curveNumber") == MAP_ORIGIN_TRACE
            else ctx.geo.dest
        )
    else:
        return None, None
    if not isinstance(value, str) or value not in ctx.dataset.categories(column):
        return None, None
    return column, value
