"""Overview wiring: filters -> one Dataset view -> KPIs, every chart and the routes table,
in two steps (the first screen, then the rest)."""

from __future__ import annotations

import time
from typing import NamedTuple

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from components import ids
from components.kpis import kpi_cards
from components.overview import available_charts
from components.overview_view import (
    build_overview,
    clicked_category,
    first_screen,
    routes_csv,
)
from components.routes_table import routes_table
from components.share import defaults, to_query
from data.filters import FilterError
from data.inputs import BadInput, pattern_columns, values_by_column


def _inputs(app_ctx) -> list:
    inputs = [
        Input({"type": ids.CATEGORY_FILTER, "column": ALL}, "value"),
        Input({"type": ids.RANGE_FILTER, "column": ALL}, "value"),
    ]
    if app_ctx.dataset.date_span:
        inputs += [
            Input(ids.DATE_RANGE, "start_date"),
            Input(ids.DATE_RANGE, "end_date"),
        ]
    if app_ctx.spec.bin_columns:
        inputs.append(Input(ids.BINS_COLUMN, "value"))
    if app_ctx.dataset.missing_count:
        inputs.append(Input(ids.MISSING_FILTER, "value"))
    return inputs


def _states(app_ctx) -> list:
    """The filters as States: read as they stand when something else triggers."""
    return [State(i.component_id, i.component_property) for i in _inputs(app_ctx)]


class Picked(NamedTuple):
    """The filter values as the client sent them, by name (validated by the Dataset)."""

    dates: list | None
    categories: dict
    ranges: dict
    bins: str | None
    missing: object  # True keeps the rows with no value in a range filter


def _filters(app_ctx, values: list, listed) -> Picked:
    """The filter values in _inputs' order, by name; raises BadInput for values whose ids
    are not the filters'."""
    spec, rest = app_ctx.spec, list(values[2:])
    dates = [rest.pop(0), rest.pop(0)] if app_ctx.dataset.date_span else None
    bins_column = rest.pop(0) if spec.bin_columns else None
    missing = rest.pop(0) if app_ctx.dataset.missing_count else None
    categories, ranges = _picked(spec, listed, values[0], values[1])
    return Picked(dates, categories, ranges, bins_column, missing)


def register(app, app_ctx) -> None:
    """Two steps: the KPIs and the first screen's charts, then (once the browser has drawn
    those) the charts below them and the routes, so the first screen is not kept waiting."""
    first = first_screen(app_ctx)
    outputs = [
        Output(ids.FILTER_MESSAGE, "children"),
        Output(ids.SHARE_URL, "search"),
        Output(ids.KPI_ROW, "children"),
        *(Output(chart, "figure") for chart in first),
        Output(ids.OVERVIEW_FIRST_SENT, "data"),
    ]

    @app.callback(*outputs, *_inputs(app_ctx))
    def refresh_overview(*values):
        try:
            picked = _filters(app_ctx, values, dash_ctx.inputs_list)
            result = build_overview(app_ctx, *picked[:4], "first", picked.missing)
        except (FilterError, BadInput) as exc:
            alert = dbc.Alert(
                f"Filters not applied: {exc}", color="danger", dismissable=True
            )
            return [alert] + [no_update] * (len(outputs) - 1)
        link = to_query(*picked[:4], defaults(app_ctx), picked.missing)
        figures = [result.figures[c] for c in first]
        sent = {"at": time.time(), "charts": first}  # the charts to wait for
        return [None, link, kpi_cards(result.kpis, app_ctx), *figures, sent]

    register_rest(app, app_ctx)
    register_cross_filter(app, app_ctx)
    app.clientside_callback(  # a phone's Filters button opens and closes them
        ClientsideFunction("flightdeck", "toggle"),
        Output(ids.FILTERS_COLLAPSE, "is_open"),
        Input(ids.FILTERS_TOGGLE, "n_clicks"),
        State(ids.FILTERS_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    if app_ctx.geo:
        register_routes_export(app, app_ctx)


def register_rest(app, app_ctx) -> None:
    """The charts below the first screen and the routes, for the filters as they stand
    (checked again here: the trigger only says that the first screen was drawn)."""
    rest = [c for c in available_charts(app_ctx) if c not in first_screen(app_ctx)]
    outputs = [Output(chart, "figure") for chart in rest]
    if app_ctx.geo:
        outputs.append(Output(ids.ROUTES_TABLE, "children"))
    if not outputs:
        return
    filters = _states(app_ctx)
    app.clientside_callback(  # waits in the browser until the first screen is drawn
        ClientsideFunction("flightdeck", "afterDrawn"),
        Output(ids.OVERVIEW_FIRST_DRAWN, "data"),
        Input(ids.OVERVIEW_FIRST_SENT, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        *outputs,
        Input(ids.OVERVIEW_FIRST_DRAWN, "data"),
        *filters,
        prevent_initial_call=True,
    )
    def refresh_overview_rest(_drawn, *values):
        try:
            picked = _filters(app_ctx, values, dash_ctx.states_list)
            result = build_overview(app_ctx, *picked[:4], "rest", picked.missing)
        except (FilterError, BadInput):
            raise PreventUpdate from None  # the first step already said why
        out = [result.figures[c] for c in rest]
        if app_ctx.geo:
            out.append(routes_table(app_ctx, result.routes))
        return out


def register_routes_export(app, app_ctx) -> None:
    """Export CSV: the busiest routes of the filters as they stand, rebuilt on the server."""
    filters = _states(app_ctx)

    @app.callback(
        Output(ids.ROUTES_DOWNLOAD, "data"),
        Output(ids.FILTER_MESSAGE, "children", allow_duplicate=True),
        Input(ids.ROUTES_EXPORT, "n_clicks"),
        *filters,
        prevent_initial_call=True,
    )
    def export_routes(n_clicks, *values):
        if not n_clicks:
            raise PreventUpdate
        try:
            picked = _filters(app_ctx, values, dash_ctx.states_list)
            text = routes_csv(app_ctx, *picked[:3], picked.missing)
        except (FilterError, BadInput) as exc:
            alert = dbc.Alert(f"Not exported: {exc}", color="danger", dismissable=True)
            return no_update, alert
        return dcc.send_string(text, "top_routes.csv", type="text/csv"), no_update


def _picked(spec, listed, category_values, range_values) -> tuple[dict, dict]:
    """The category and range filter values by column, their ids checked; `listed` is
    dash's inputs_list or states_list, whose first two entries are those filters."""
    categories = values_by_column(
        listed[0], category_values, ids.CATEGORY_FILTER, spec.category_filters
    )
    ranges = values_by_column(
        listed[1], range_values, ids.RANGE_FILTER, spec.range_filters
    )
    return categories, ranges


def register_cross_filter(app, app_ctx) -> None:
    """Clicking a category bar or a map airport sets that filter; Reset clears every filter."""
    spec = app_ctx.spec
    triggers, outputs = [Input(ids.RESET_FILTERS, "n_clicks")], []
    if spec.category_chart in spec.category_filters:
        triggers.append(Input(ids.CATEGORY_CHART, "clickData"))
    if app_ctx.geo:
        triggers.append(Input(ids.MAP_CHART, "clickData"))
    outputs = [
        Output({"type": ids.CATEGORY_FILTER, "column": ALL}, "value"),
        Output({"type": ids.RANGE_FILTER, "column": ALL}, "value"),
    ]
    span = app_ctx.dataset.date_span
    if span:
        outputs += [
            Output(ids.DATE_RANGE, "start_date"),
            Output(ids.DATE_RANGE, "end_date"),
        ]
    # Reset keeps the rows with no value in a range filter again (the default).
    missing = (
        [Output(ids.MISSING_FILTER, "value")] if app_ctx.dataset.missing_count else []
    )
    outputs += missing

    @app.callback(
        *outputs,
        *triggers,
        State({"type": ids.CATEGORY_FILTER, "column": ALL}, "value"),
        prevent_initial_call=True,
    )
    def cross_filter(*args):
        try:
            current, ranges = _filter_outputs(app_ctx, args[-1])
        except BadInput:
            raise PreventUpdate from None
        columns = list(current)
        if dash_ctx.triggered_id == ids.RESET_FILTERS:
            values = [
                [None] * len(columns),
                [defaults(app_ctx)["ranges"][c] for c in ranges],
            ]
            return values + ([span[0], span[1]] if span else []) + [True] * len(missing)
        column, value = clicked_category(
            app_ctx, dash_ctx.triggered_id, _clicked_point(dash_ctx.triggered)
        )
        if column is None or column not in current:
            raise PreventUpdate
        current[column] = [value]
        # Wildcard outputs take one value per matched component, no_update included.
        unchanged = [no_update] * ((2 if span else 0) + len(missing))
        return [[current[c] for c in columns], [no_update] * len(ranges), *unchanged]


def _filter_outputs(app_ctx, category_values) -> tuple[dict, list[str]]:
    """The current category picks by column, and the range columns, as the client sent them.

    The wildcard outputs must name the same filters as the state, or Dash could not pair
    the returned values with components.
    """
    spec = app_ctx.spec
    current = values_by_column(
        dash_ctx.states_list[0],
        category_values,
        ids.CATEGORY_FILTER,
        spec.category_filters,
    )
    categories_out, ranges_out = dash_ctx.outputs_list[:2]
    if pattern_columns(categories_out, ids.CATEGORY_FILTER, current) != list(current):
        raise BadInput("the filters to set are not the filters sent")
    return current, pattern_columns(ranges_out, ids.RANGE_FILTER, spec.range_filters)


def _clicked_point(triggered: list[dict]) -> dict | None:
    value = triggered[0].get("value") if triggered else None
    points = value.get("points") if isinstance(value, dict) else None
    return (
        points[0]
        if isinstance(points, list) and points and isinstance(points[0], dict)
        else None
    )
