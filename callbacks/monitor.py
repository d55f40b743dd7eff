"""Monitor wiring: one refresh (controls -> one report -> every card), the feature
drill-down, the log grid's pages and its CSV export. Analysts and admins only (the door)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, no_update

from components import ids
from components import monitor_figures as figures
from components import monitor_sections as sections
from components import monitor_view as view
from components.theme import empty
from data.inputs import BadInput
from monitor import log_view, report

HIDDEN, SHOWN = {"display": "none"}, {}
CARDS = {
    "alerts": Output(ids.MONITOR_ALERTS, "children"),
    "kpis": Output(ids.MONITOR_KPIS, "children"),
    "traffic": Output(ids.MONITOR_TRAFFIC, "children"),
    "predictions": Output(ids.MONITOR_PREDICTIONS, "children"),
    "drift": Output(ids.MONITOR_DRIFT, "children"),
    "feature_options": Output(ids.MONITOR_FEATURE, "options"),
    "feature": Output(ids.MONITOR_FEATURE, "value"),
    "performance": Output(ids.MONITOR_PERFORMANCE, "children"),
    "segments": Output(ids.MONITOR_SEGMENTS, "children"),
    "challenger": Output(ids.MONITOR_CHALLENGER, "children"),
}
REFRESH = {
    **CARDS,
    "message": Output(ids.MONITOR_MESSAGE, "children"),
    "empty": Output(ids.MONITOR_EMPTY, "children"),
    "shown": Output(ids.MONITOR_SECTIONS, "style"),
    "query": Output(ids.MONITOR_QUERY, "data"),
    "grid_filters": Output(ids.LOG_GRID, "filterModel"),
}


def problem(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="danger", dismissable=True, className="py-2")


def refresh_outputs(app_ctx, controls: dict, grid_filters) -> dict:
    """Every output of the refresh for the raw controls: the cards, or a message in words."""
    unchanged = dict.fromkeys(REFRESH, no_update)
    version = controls["version"]
    if (
        not controls["start"]
        and not controls["end"]
        and version in view.known_versions(app_ctx)
    ):  # nothing logged for this version, so no window to pick
        empty = sections.empty_state(version, None, None)
        return {**unchanged, "message": None, "empty": empty, "shown": HIDDEN}
    try:
        query = view.parse_query(app_ctx, **controls)
    except BadInput as exc:
        return {**unchanged, "message": problem(f"Not refreshed: {exc}")}
    result = view.build(app_ctx, query)
    common = {
        "message": None,
        "query": query.to_store(),
        "grid_filters": view.grid_filters(query, grid_filters),
    }
    if result.empty:
        window = query.window
        empty = sections.empty_state(query.version, window.start, window.end)
        return {**unchanged, **common, "empty": empty, "shown": HIDDEN}
    return {**view.sections_of(result), **common, "empty": None, "shown": SHOWN}


def drill_down(app_ctx, feature, stored) -> dict:
    """Reference against live bars for one feature of the stored window."""
    query = view.stored_query(app_ctx, stored)
    label = view.feature_label(app_ctx, query.version, feature)
    frame = report.feature_detail(
        app_ctx, query.window, feature, query.source, version=query.version
    )
    return figures.feature_detail(frame, label)


def register(app, app_ctx) -> None:
    @app.callback(
        output=REFRESH,
        inputs={
            "start": Input(ids.MONITOR_DATES, "start_date"),
            "end": Input(ids.MONITOR_DATES, "end_date"),
            "granularity": Input(ids.MONITOR_GRANULARITY, "value"),
            "source": Input(ids.MONITOR_SOURCE, "value"),
            "version": Input(ids.MONITOR_VERSION, "value"),
        },
        state={"grid_filters": State(ids.LOG_GRID, "filterModel")},
    )
    def refresh_monitor(grid_filters, **controls):
        return refresh_outputs(app_ctx, controls, grid_filters)

    @app.callback(
        Output(ids.MONITOR_DATES, "start_date"),
        Output(ids.MONITOR_DATES, "end_date"),
        Input(ids.MONITOR_VERSION, "value"),
        prevent_initial_call=True,
    )
    def window_of_version(version):
        if not isinstance(version, str) or version not in view.known_versions(app_ctx):
            return no_update, no_update
        start, end, _ = view.default_window(app_ctx, version)
        return (start, end) if start else (no_update, no_update)

    @app.callback(
        Output(ids.MONITOR_FEATURE_CHART, "figure"),
        Input(ids.MONITOR_FEATURE, "value"),
        Input(ids.MONITOR_QUERY, "data"),
        prevent_initial_call=True,
    )
    def feature_chart(feature, stored):
        if feature is None:
            return no_update
        try:
            return drill_down(app_ctx, feature, stored)
        except BadInput as exc:
            return empty(figures.FEATURE_TITLE, str(exc), figures.SMALL)

    register_log(app, app_ctx)


def register_log(app, app_ctx) -> None:
    """The grid asks for each block of rows as it scrolls; Export CSV sends the filtered
    rows the grid last asked for (its filter and sort)."""

    @app.callback(
        Output(ids.LOG_GRID, "getRowsResponse"),
        Output(ids.LOG_MESSAGE, "children"),
        Input(ids.LOG_GRID, "getRowsRequest"),
        prevent_initial_call=True,
    )
    def log_rows(request):
        try:
            page = log_view.log_page(app_ctx.database.engine, request)
        except BadInput as exc:
            return {"rowData": [], "rowCount": 0}, problem(f"Log not filtered: {exc}")
        response = {"rowData": page.rows}
        if page.total is not None:
            response["rowCount"] = page.total
        return response, None

    @app.callback(
        Output(ids.LOG_DOWNLOAD, "data"),
        Output(ids.LOG_EXPORT_NOTE, "children"),
        Input(ids.LOG_EXPORT, "n_clicks"),
        State(ids.LOG_GRID, "getRowsRequest"),
        prevent_initial_call=True,
    )
    def export_log(n_clicks, request):
        request = request if isinstance(request, dict) else {}
        try:
            text, count = log_view.export_csv(
                app_ctx.database.engine,
                request.get("filterModel"),
                request.get("sortModel"),
            )
        except BadInput as exc:
            return no_update, f"Not exported: {exc}"
        note = f"{count:,} rows exported."
        if count >= log_view.EXPORT_CAP:
            note = (
                f"The first {count:,} rows exported; narrow the filters for the rest."
            )
        return dcc.send_string(text, "prediction_log.csv"), note
