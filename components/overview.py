"""Overview page layout: filters on the left, KPIs and charts on the right. Built from the spec."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.kpis import kpi_cards, kpi_skeletons
from components.overview_figures import PAIR_HEIGHT
from components.page import page_header
from components.report_links import OVERVIEW_REPORT, report_buttons
from components.routes_table import routes_card
from components.share import slider_range, view_from_link
from components.theme import GRAPH_CONFIG
from context import AppContext
from data import aggregates as agg
from data.filters import FilterError
from data.formats import plain
from data.inputs import BadInput
from data.names import choices


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


def _range_slider(ctx: AppContext, column: str, value: list) -> html.Div:
    low, high, step = slider_range(*ctx.dataset.bounds(column))
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
                # No typed boxes: a slider's thumbs cannot name them (the tooltip shows
                # the values while sliding, the link and the report in words).
                allow_direct_input=False,
                tooltip={"placement": "bottom"},
                marks={v: plain(v) for v in (low, high)},
            ),
        ],
        className="mb-2",
    )


def _labelled(label: str, control, **extra) -> html.Div:
    return html.Div(
        [dbc.Label(label, className="small fw-semibold mb-0 d-block"), control],
        **extra,
    )


def _date_filter(ctx: AppContext, initial: dict) -> html.Div | None:
    span = ctx.dataset.date_span
    if not span:
        return None
    picker = dcc.DatePickerRange(
        id=ids.DATE_RANGE,
        min_date_allowed=span[0],
        max_date_allowed=span[1],
        start_date=initial["dates"][0],
        end_date=initial["dates"][1],
        display_format="D MMM YYYY",
        className="mb-2",
    )
    return _labelled(ctx.spec.label(ctx.spec.time_column), picker)


def _category_filter(ctx: AppContext, column: str, initial: dict) -> html.Div:
    """A dropdown that reads 'United Air Lines Inc. (UA)' and filters by 'UA'."""
    dataset = ctx.dataset
    dropdown = dcc.Dropdown(
        id=ids.category_filter(column),
        options=choices(dataset.categories(column), dataset.names(column)),
        multi=True,
        placeholder="All",
        value=initial["categories"].get(column),
    )
    return _labelled(ctx.spec.label(column), dropdown, className="mb-2")


def missing_filter(ctx: AppContext, keep: bool) -> html.Div | None:
    """The switch that keeps (on) or leaves out the rows no range filter can judge."""
    words = ctx.dataset.missing_words
    if not words:
        return None
    return html.Div(
        dbc.Switch(
            id=ids.MISSING_FILTER,
            value=keep,
            label=f"Include the {words}",
            className="small mb-0",
        ),
        className="mb-2",
        title="On: the sliders keep them, whatever their ranges. Off: they are left out.",
    )


def filters_panel(ctx: AppContext, initial: dict) -> html.Div:
    """The filters: a card beside the charts on a wide screen; on a phone, behind a
    'Filters' button so the figures come first."""
    children = [
        _date_filter(ctx, initial),
        *(_category_filter(ctx, c, initial) for c in ctx.spec.category_filters),
        *(_range_slider(ctx, c, initial["ranges"][c]) for c in ctx.spec.range_filters),
        missing_filter(ctx, initial["missing"]),
        dbc.Button(
            "Reset filters",
            id=ids.RESET_FILTERS,
            color="secondary",
            outline=True,
            size="sm",
            className="w-100 mt-1",
        ),
    ]
    card = dbc.Card(
        dbc.CardBody([html.H6("Filters", className="card-title"), *children]),
        className="shadow-sm",
    )
    toggle = html.Button(
        "Filters",
        id=ids.FILTERS_TOGGLE,
        type="button",
        className="btn btn-outline-secondary btn-sm d-md-none w-100 mb-2",
        **{"aria-controls": ids.FILTERS_COLLAPSE},
    )
    # Always shown from md up (d-md-block beats the collapsed state's display: none):
    # a phone folds them away, a tablet shows them above the charts.
    collapse = dbc.Collapse(
        card, id=ids.FILTERS_COLLAPSE, is_open=False, className="d-md-block"
    )
    return html.Div([toggle, collapse])


def _graph(graph_id: str, height: int = 320) -> dbc.Card:
    if graph_id == ids.MAP_CHART:  # as tall as assets/flightdeck.css makes its box
        graph = html.Div(
            dcc.Graph(
                id=graph_id,
                config=GRAPH_CONFIG,
                responsive=True,
                style={"height": "100%"},
            ),
            className="route-map",
        )
    else:
        graph = dcc.Graph(
            id=graph_id, config=GRAPH_CONFIG, style={"minHeight": f"{height}px"}
        )
    return dbc.Card(
        dcc.Loading(graph, delay_show=400),
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


def first_kpis(ctx: AppContext, initial: dict) -> list:
    """The KPI cards of the link's filters, sent with the page, so they show one round trip
    sooner than the refresh that follows (which sends the same cards); skeletons if the
    filters cannot be used (the refresh says why)."""
    try:
        dates = [str(d)[:10] if d else None for d in initial["dates"] or []]
        filters = ctx.dataset.parse_filters(
            dates or None,
            initial["categories"],
            initial["ranges"],
            initial["missing"],
        )
    except (FilterError, BadInput):
        return kpi_skeletons()
    return kpi_cards(agg.kpis(ctx.dataset.filter(filters)), ctx)


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
            cells.append(dbc.Col(_graph(chart), lg=12))
        elif chart in (ids.CATEGORY_CHART, ids.HEATMAP_CHART):
            cells.append(dbc.Col(_graph(chart, PAIR_HEIGHT), lg=6))
        else:
            cells.append(dbc.Col(_graph(chart), lg=6))
    if ctx.geo:
        cells.append(dbc.Col(routes_card(ctx), lg=12))
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
                    dbc.Row(
                        first_kpis(ctx, initial),
                        id=ids.KPI_ROW,
                        className="g-3 mb-3 kpi-row",
                    ),
                    dbc.Row(cells, className="g-3"),
                ],
                lg=9,
            ),
        ]
    )
