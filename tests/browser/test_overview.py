"""The Overview in headless Chromium: names beside codes, the missing-values switch, and
toolbars that cover nothing."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from data import aggregates as agg
from data.names import option_label
from tests.browser.session import scroll_into_view, start_signed_in
from tests.browser.test_pages import (
    FLIGHTS_KPI,
    choose_carrier,
    css_id,
    dropdown_value,
    flights_for,
    open_overview,
)

pytestmark = pytest.mark.browser

TIMEOUT = 20
SWITCH = f"#{ids.MISSING_FILTER}"


def _graph_layout(dash_duo, graph_id: str) -> dict:
    raw = dash_duo.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.layout ? JSON.stringify(gd.layout) : null;",
        css_id(graph_id),
    )
    assert raw is not None, f"{graph_id} has not been drawn"
    return json.loads(raw)


def _flights(app_context, **raw) -> str:
    dataset = app_context.dataset
    return f"{agg.kpis(dataset.filter(dataset.parse_filters(**raw)))['rows']:,}"


def test_ovw101_airlines_and_airports_read_by_name(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    united = option_label("UA", app_context.dataset.names("carrier")["UA"])
    assert united == "United Air Lines Inc. (UA)"
    ticks = _graph_layout(dash_duo, ids.CATEGORY_CHART)["yaxis"]["ticktext"]
    assert united in ticks

    choose_carrier(dash_duo, united)  # picked by what it reads
    dash_duo.wait_for_text_to_equal(dropdown_value("carrier"), united, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context, "UA"), timeout=TIMEOUT
    )
    assert dash_duo.driver.current_url.endswith("/?carrier=UA")  # links keep codes
    table = dash_duo.wait_for_element(f"#{ids.ROUTES_TABLE} tbody tr", TIMEOUT)
    scroll_into_view(dash_duo, table)
    origins = app_context.dataset.names("origin")
    # Each airport's name is written under its code by the stylesheet (::after).
    shown = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map("
        "td => getComputedStyle(td, '::after').content)",
        f"#{ids.ROUTES_TABLE} tbody td:first-child",
    )
    assert any(f'"{name}"' in shown for name in origins.values()), shown[:5]
    assert dash_duo.get_logs() == []


def test_ovw102_flights_with_no_weather_are_kept_or_left_out(
    dash_duo, dash_app, app_context
):
    dataset = app_context.dataset
    assert dataset.missing_count > 0  # the sample has flights with no weather record
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    label = dash_duo.find_element(f"label[for='{ids.MISSING_FILTER}']").text
    assert label == f"Include the {dataset.missing_words}"
    switch = dash_duo.find_element(SWITCH)
    assert switch.is_selected()

    scroll_into_view(dash_duo, switch)
    switch.click()
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, _flights(app_context, missing=False), timeout=TIMEOUT
    )
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: d.current_url.endswith("/?missing=out"), "the link lost the switch"
    )
    assert _flights(app_context, missing=False) != flights_for(app_context)

    reset = dash_duo.find_element(f"#{ids.RESET_FILTERS}")
    scroll_into_view(dash_duo, reset)
    reset.click()
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context), timeout=TIMEOUT
    )
    assert dash_duo.find_element(SWITCH).is_selected()
    assert dash_duo.get_logs() == []


def _empty_pick(app_context) -> tuple[str, str]:
    """An airline and an origin that never go together in the data."""
    dataset = app_context.dataset
    for carrier in dataset.categories("carrier"):
        for origin in dataset.categories("origin"):
            view = dataset.filter(
                dataset.parse_filters(
                    categories={"carrier": [carrier], "origin": [origin]}
                )
            )
            if view.rows.size == 0:
                return carrier, origin
    raise AssertionError("every airline flies from every origin in this sample")


def test_ovw103_toolbars_cover_nothing(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    dash_duo.wait_for_element(f"#{ids.MAP_CHART} .main-svg", timeout=TIMEOUT)
    assert dash_duo.find_elements(".modebar")  # a toolbar, shown on hover,
    assert not dash_duo.find_elements(".modebar.vertical")  # lying flat
    titles = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn'))"
        ".map(b => b.getAttribute('data-title'))"
    )
    assert "Share chart..." not in titles  # no upload to Plotly Cloud

    carrier, origin = _empty_pick(app_context)
    dash_duo.wait_for_page(
        f"{dash_duo.server_url}/?carrier={carrier}&origin={origin}", timeout=TIMEOUT
    )
    dash_duo.wait_for_text_to_equal(FLIGHTS_KPI, "0", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(
        f"#{ids.CATEGORY_CHART}", "No rows match", timeout=TIMEOUT
    )
    dash_duo.wait_for_contains_text(f"#{ids.MAP_CHART}", "No rows", timeout=TIMEOUT)
    buttons = dash_duo.driver.execute_script(
        "return document.querySelectorAll('.js-plotly-plot .modebar-btn').length"
    )
    assert buttons == 0
    assert dash_duo.get_logs() == []
