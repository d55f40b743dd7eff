"""The Monitor page's log: an AG Grid that pages, filters and sorts on the server.

Its columns follow monitor/log_view.py's whitelist, so the grid offers only the filters and
sorts the server accepts (exact text where the server matches on an index).
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from monitor import log_view

NUMBER = {"type": "numericColumn"}


def _number_format(spec: str) -> dict:
    return {
        "function": f"params.value == null ? '' : d3.format('{spec}')(params.value)"
    }


LOG_COLUMNS = [
    (
        "event_time",
        "Event time",
        "agDateColumnFilter",
        {"sort": "desc", "minWidth": 170},
    ),
    ("source", "Source", "agTextColumnFilter", {}),
    ("version", "Version", "agTextColumnFilter", {"minWidth": 150}),
    (
        "output",
        "Output",
        "agNumberColumnFilter",
        {**NUMBER, "valueFormatter": _number_format(",.4~g")},
    ),
    ("label", "Label", "agTextColumnFilter", {}),
    ("actual", "Outcome", "agTextColumnFilter", {}),
    (
        "latency_ms",
        "Latency (ms)",
        "agNumberColumnFilter",
        {**NUMBER, "valueFormatter": _number_format(",.3~g")},
    ),
    (
        "challenger_output",
        "Challenger",
        "agNumberColumnFilter",
        {**NUMBER, "valueFormatter": _number_format(",.4~g")},
    ),
    ("logged_at", "Logged at", "agDateColumnFilter", {"minWidth": 170}),
    ("request_id", "Request id", "agTextColumnFilter", {"minWidth": 150}),
]


def _log_column(field: str, name: str, kind: str, extra: dict) -> dict:
    params = {
        "buttons": ["reset", "apply"],
        "closeOnApply": True,
        "maxNumConditions": 2,
    }
    if kind == "agDateColumnFilter":
        params["inRangeInclusive"] = True
        params["filterOptions"] = [
            "equals",
            "notEqual",
            "lessThan",
            "greaterThan",
            "inRange",
        ]
    column = log_view.COLUMNS[field]  # the server's rules, shown in the grid's filters
    if column.exact:
        params["caseSensitive"] = True
    return {
        "field": field,
        "headerName": name,
        "filter": kind,
        "filterParams": params,
        "sortable": column.sortable,
        **extra,
    }


def log_grid() -> html.Div:
    """Export CSV, a line for problems, and the grid that pages on the server."""
    export = html.Div(
        [
            dbc.Button(
                "Export CSV",
                id=ids.LOG_EXPORT,
                size="sm",
                color="primary",
                outline=True,
            ),
            html.Span(id=ids.LOG_EXPORT_NOTE, className="small text-muted ms-2"),
            dcc.Download(id=ids.LOG_DOWNLOAD),
        ],
        className="d-flex align-items-center mb-2",
    )
    grid = dag.AgGrid(
        id=ids.LOG_GRID,
        rowModelType="infinite",
        columnDefs=[_log_column(*column) for column in LOG_COLUMNS],
        defaultColDef={
            "resizable": True,
            "minWidth": 110,
            "flex": 1,
        },
        dashGridOptions={
            "cacheBlockSize": 100,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "rowBuffer": 0,
            # Dash keeps only the newest request: two blocks in flight would lose one.
            "maxConcurrentDatasourceRequests": 1,
        },
        style={"height": "420px"},
    )
    return html.Div([export, html.Div(id=ids.LOG_MESSAGE), grid])
