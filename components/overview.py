"""Overview page layout: filters on the left, KPIs and charts on the right. Built from the spec."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.kpis import kpi_skeletons
from components.page import page_header
from components.report_links import OVERVIEW_REPORT, report_buttons
from components.share import view_from_link
from context import AppContext
from data.formats import percent, plain

GRAPH_CONFIG = {"displaylogo": False, "topojsonURL": "/assets/topojson/"}


def available_charts(ctx: AppContext) -> list[str]:
    """Chart ids this dataset supports, from spec fields only."""
    spec = ctx.spec
    charts = []
    if spec.category_chart:
        charts.append(ids.CATEGORY_CHART)
    if spec.time_column and spec.hour_column and not ctx.multiclass:
        charts.append(ids.HEATMAP_CHART)
    if spec.time_column:
        charts.append(ids.TREND_CHART)
    if ctx.geo:
        charts.append(ids.MAP_CHART)
    if spec.measure:
        charts.append(ids.DISTRIBUTION_CHART)
    if spec.bin_columns:
        charts.append(ids.BINS_CHART)
    return charts


def slider_step(low: float, high: float) -> float | None:
    """The coarsest step that still hits both ends and has 20+ positions: 4.3–7.9 moves
    by 0.1 (its inputs read 4.3, not 4.3000), 0–10 by 0.1, 0–1.21 by 0.01."""
    if not high > low:
        return None
    decimals = 0
    while decimals < 4 and any(round(v, decimals) != round(v, 4) for v in (low, high)):
        decimals += 1
    while 10.0**-decimals > (high - low) / 20 and decimals < 6:
        decimals += 1
    return 10.0**-decimals


def _range_slider(ctx: AppContext, column: str, value: list) -> html.Div:
    low, high = ctx.dataset.bounds(column)
    integer = float(low).is_integer() and float(high).is_integer() and high - low <= 48
    step = 1 if integer else slider_step(low, high)
    return html.Div(
        [
            dbc.Label(ctx.spec.label(column), className="small fw-semibold mb-0"),
            dcc.RangeSlider(
                id=ids.range_filter(column),
                min=low,
                max=high,
                value=value,
                step=step,
                allowCross=False,
                tooltip={"placement": "bottom"},
                marks={v: plain(v) for v in (low, high)},
            ),
        ],
        className="mb-2",
    )


def filters_panel(ctx: AppContext, initial: dict) -> dbc.Card:
    spec, children = ctx.spec, []
    span = ctx.dataset.date_span
    if span:
        children.append(
            html.Div(
                [
                    dbc.Label(
                        spec.label(spec.time_column),
                        className="small fw-semibold mb-0 d-block",
                    ),
                    dcc.DatePickerRange(
                        id=ids.DATE_RANGE,
                        min_date_allowed=span[0],
                        max_date_allowed=span[1],
                        start_date=initial["dates"][0],
                        end_date=initial["dates"][1],
                        display_format="D MMM YYYY",
                        className="mb-2",
                    ),
                ]
            )
        )
    for column in spec.category_filters:
        options = ctx.dataset.categories(column)
        children.append(
            html.Div(
                [
                    dbc.Label(spec.label(column), className="small fw-semibold mb-0"),
                    dcc.Dropdown(
                        id=ids.category_filter(column),
                        options=options,
                        multi=True,
                        placeholder="All",
                        value=initial["categories"].get(column),
                    ),
                ],
                className="mb-2",
            )
        )
    children += [
        _range_slider(ctx, column, initial["ranges"][column])
        for column in spec.range_filters
    ]
    children.append(
        dbc.Button(
            "Reset filters",
            id=ids.RESET_FILTERS,
            color="secondary",
            outline=True,
            size="sm",
            className="w-100 mt-1",
        )
    )
    return dbc.Card(
        dbc.CardBody([html.H6("Filters", className="card-title"), *children]),
        className="shadow-sm",
    )


def _graph(graph_id: str, height: int = 320) -> dbc.Card:
    return dbc.Card(
        dcc.Loading(
            dcc.Graph(
                id=graph_id, config=GRAPH_CONFIG, style={"height": f"{height}px"}
            ),
            delay_show=400,
        ),
        body=True,
        className="shadow-sm mb-3",
    )


def _bins_card(ctx: AppContext, column: str) -> dbc.Card:
    options = [{"label": ctx.spec.label(c), "value": c} for c in ctx.spec.bin_columns]
    return dbc.Card(
        [
            dcc.Dropdown(
                id=ids.BINS_COLUMN,
                options=options,
                value=column,
                clearable=False,
                className="mb-1",
                style={"maxWidth": "260px"},
            ),
            dcc.Graph(
                id=ids.BINS_CHART, config=GRAPH_CONFIG, style={"height": "320px"}
            ),
        ],
        body=True,
        className="shadow-sm mb-3",
    )


def route_columns(ctx: AppContext) -> list[tuple[str, str, str]]:
    """The routes table's columns: (field, header, how a value is shown)."""
    geo, spec = ctx.geo, ctx.spec
    columns = [
        (geo.origin, spec.label(geo.origin), "text"),
        (geo.dest, spec.label(geo.dest), "text"),
        ("rows", spec.row_label.capitalize(), "count"),
        ("target_mean", ctx.outcome, "share" if spec.is_classification else "mean"),
    ]
    if spec.measure:
        columns.append(("measure_mean", f"Mean {spec.measure_label.lower()}", "mean"))
    return columns


def _cell(value, shown: str) -> str:
    if value is None:
        return ""
    if shown == "count":
        return f"{value:,}"
    if shown == "share":
        return percent(value)
    return f"{value:,.1f}" if shown == "mean" else str(value)


def routes_table(ctx: AppContext, rows: list[dict]) -> dbc.Table | html.P:
    """The busiest routes as a plain table (no grid library on the Overview's first load)."""
    if not rows:
        return html.P("No routes in this view.", className="text-muted small mb-0")
    columns = route_columns(ctx)
    sticky = {"position": "sticky", "top": 0, "zIndex": 1}

    def align(shown: str) -> str:
        return "text-start" if shown == "text" else "text-end"

    head = html.Thead(
        html.Tr(
            [
                html.Th(header, scope="col", className=align(shown), style=sticky)
                for _, header, shown in columns
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(_cell(row.get(field), shown), className=align(shown))
                    for field, _, shown in columns
                ]
            )
            for row in rows
        ]
    )
    return dbc.Table(
        [head, body], striped=True, hover=True, size="sm", className="mb-0 small"
    )


def routes_card(ctx: AppContext) -> dbc.Card:
    return dbc.Card(
        [
            html.Div(
                [
                    html.H6("Top routes", className="mb-0"),
                    dbc.Button(
                        "Export CSV",
                        id=ids.ROUTES_EXPORT,
                        size="sm",
                        color="primary",
                        outline=True,
                    ),
                    dcc.Download(id=ids.ROUTES_DOWNLOAD),
                ],
                className="d-flex justify-content-between align-items-center mb-2",
            ),
            html.Div(
                id=ids.ROUTES_TABLE,
                className="table-responsive",
                style={"maxHeight": "360px", "overflowY": "auto"},
                tabIndex=0,  # scrollable: reachable by keyboard
                **{"aria-label": "Top routes"},
            ),
        ],
        body=True,
        className="shadow-sm mb-3",
    )


def overview_layout(
    ctx: AppContext, search: str | None = None, identity=None
) -> html.Div:
    """The Overview, with its filters set from a shared link's query when there is one."""
    initial, problem = view_from_link(ctx, search)
    charts = available_charts(ctx)
    cells = []
    for chart in charts:
        if chart == ids.BINS_CHART:
            cells.append(dbc.Col(_bins_card(ctx, initial["bins"]), lg=6))
        elif chart in (ids.TREND_CHART, ids.MAP_CHART):
            cells.append(
                dbc.Col(
                    _graph(chart, 420 if chart == ids.MAP_CHART else 320),
                    lg=12 if chart == ids.TREND_CHART else 6,
                )
            )
        else:
            cells.append(dbc.Col(_graph(chart), lg=6))
    if ctx.geo:
        cells.append(dbc.Col(routes_card(ctx), lg=6))
    header = page_header(ctx.spec.title, ctx.spec.question)
    return dbc.Row(
        [
            dcc.Location(id=ids.SHARE_URL, refresh=False),
            dcc.Store(id=ids.OVERVIEW_FIRST_SENT),
            dcc.Store(id=ids.OVERVIEW_FIRST_DRAWN),
            dbc.Col(filters_panel(ctx, initial), lg=3, className="mb-3"),
            dbc.Col(
                [
                    html.Div(
                        [
                            header,
                            report_buttons(
                                ids.OVERVIEW_REPORT_HTML,
                                ids.OVERVIEW_REPORT_PDF,
                                OVERVIEW_REPORT,
                            ),
                        ],
                        className="d-flex justify-content-between flex-wrap gap-2",
                    ),
                    dbc.Alert(problem, color="warning") if problem else None,
                    html.Div(id=ids.FILTER_MESSAGE),
                    dbc.Row(kpi_skeletons(), id=ids.KPI_ROW, className="g-3 mb-3"),
                    dbc.Row(cells, className="g-3"),
                ],
                lg=9,
            ),
        ]
    )
