"""Monitor page layout: the controls, one card per section (filled by the refresh), the log.

Cards stack on a phone and sit two or three abreast on a wide screen; each says in one line
what it shows. The log grid pages on the server (AG Grid's infinite row model).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.monitor_log import log_grid
from components.monitor_view import (
    ALL_SOURCES,
    default_window,
    source_options,
    version_options,
)
from components.page import page_header
from components.theme import GRAPH_CONFIG
from context import AppContext
from monitor.log_view import EXPORT_CAP

EXPLAIN = {
    "traffic": "How many predictions were made, how fast they were answered, and how "
    "often an input fell outside the range the model was trained on.",
    "predictions": "The spread of predicted values each period, and the window's "
    "distribution against the holdout's in the model card.",
    "drift": "Each feature against its training reference: PSI for the size of the "
    "shift, KS (numbers) or χ² (categories) for whether it is more than chance, with "
    "p-values adjusted for testing every feature; flagged only when both agree, and "
    "never on too few rows.",
    "performance": "Estimated from the model's own calibrated probabilities before "
    "outcomes arrive (as NannyML's CBPE), realized once they are attached; the dashed "
    "line is the holdout figure from the model card.",
    "segments": "The same metric for each segment, worst first, with 95% intervals; "
    "segments with too few rows are shown hollow and not judged.",
    "challenger": "How often the challenger, scored in the shadow of each answer, "
    "agrees with the champion, and the mean difference between their outputs.",
    "log": "Every logged prediction, with its outcome once attached. Filter in the "
    f"column headers; Export CSV downloads the filtered rows (at most {EXPORT_CAP:,}).",
}


def section(title: str, key: str, body, explain: str | None = None) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.H6(title, className="mb-0")),
            dbc.CardBody(
                [
                    html.P(explain or EXPLAIN[key], className="small text-muted mb-2"),
                    body,
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )


def _control(label: str, component, control_id: str | None, **col) -> dbc.Col:
    """The label names the control by its id, or (radios: no id) names their group."""
    if control_id is None:
        component = html.Div(component, role="radiogroup", **{"aria-label": label})
    return dbc.Col(
        [
            dbc.Label(
                label, html_for=control_id, className="small fw-semibold mb-0 d-block"
            ),
            component,
        ],
        xs=12,
        className="mb-2",
        **col,
    )


def _dates(start: str | None, end: str | None) -> dbc.Col:
    picker = dcc.DatePickerRange(
        id=ids.MONITOR_DATES,
        start_date=start,
        end_date=end,
        display_format="D MMM YYYY",
    )
    return _control("Event days", picker, ids.MONITOR_DATES, md=6, xl=4)


def _granularity(value: str) -> dbc.Col:
    choice = dbc.RadioItems(
        id=ids.MONITOR_GRANULARITY,
        options=[{"label": "Day", "value": "day"}, {"label": "Week", "value": "week"}],
        value=value,
        inline=True,
    )
    return _control("Per", choice, None, md=6, xl=2)


def _pick(label: str, component_id: str, options, value, xl: int) -> dbc.Col:
    """A dropdown that always holds a value (source, model version)."""
    dropdown = dcc.Dropdown(
        id=component_id, options=options, value=value, clearable=False
    )
    return _control(label, dropdown, component_id, md=6, xl=xl)


def controls(ctx: AppContext, version: str) -> dbc.Card:
    """The window (days and granularity), the source and the model version."""
    start, end, granularity = default_window(ctx, version)
    row = [
        _dates(start, end),
        _granularity(granularity),
        _pick("Source", ids.MONITOR_SOURCE, source_options(ctx), ALL_SOURCES, xl=2),
        _pick(
            "Model version", ids.MONITOR_VERSION, version_options(ctx), version, xl=4
        ),
    ]
    return dbc.Card(
        dbc.CardBody(dbc.Row(row, className="g-2")), className="shadow-sm mb-3"
    )


def _container(component_id: str, **style) -> dcc.Loading:
    return dcc.Loading(html.Div(id=component_id, **style), delay_show=400)


def drift_card() -> dbc.Card:
    detail = html.Div(
        [
            dbc.Label(
                "Feature", html_for=ids.MONITOR_FEATURE, className="small mb-0 d-block"
            ),
            dcc.Dropdown(
                id=ids.MONITOR_FEATURE,
                clearable=False,
                placeholder="Pick a feature",
                className="mb-1",
                style={"maxWidth": "360px"},
            ),
            dcc.Graph(id=ids.MONITOR_FEATURE_CHART, config=GRAPH_CONFIG),
        ]
    )
    return section(
        "Drift",
        "drift",
        dbc.Row(
            [
                dbc.Col(_container(ids.MONITOR_DRIFT), xs=12, lg=6),
                dbc.Col(detail, xs=12, lg=6),
            ],
            className="g-3",
        ),
    )


def monitor_layout(
    ctx: AppContext, search: str | None = None, identity=None
) -> html.Div:
    """The Monitor page for the version serving now; the refresh fills every card."""
    version = ctx.service.version
    header = page_header(
        "Monitor",
        "What the model is doing in production: traffic, drift, performance "
        "estimated and realized, segments, the challenger, and the log itself.",
    )
    sections = html.Div(
        [
            _container(ids.MONITOR_ALERTS),
            dbc.Row(id=ids.MONITOR_KPIS, className="g-3 mb-3"),
            section("Traffic", "traffic", _container(ids.MONITOR_TRAFFIC)),
            section("Predictions", "predictions", _container(ids.MONITOR_PREDICTIONS)),
            drift_card(),
            section("Performance", "performance", _container(ids.MONITOR_PERFORMANCE)),
            section("Segments", "segments", _container(ids.MONITOR_SEGMENTS)),
            section(
                "Champion against challenger",
                "challenger",
                _container(ids.MONITOR_CHALLENGER),
            ),
        ],
        id=ids.MONITOR_SECTIONS,
    )
    return html.Div(
        [
            dcc.Store(id=ids.MONITOR_QUERY),
            header,
            controls(ctx, version),
            html.Div(id=ids.MONITOR_MESSAGE),
            html.Div(id=ids.MONITOR_EMPTY),
            sections,
            section("The log", "log", log_grid()),
        ]
    )
