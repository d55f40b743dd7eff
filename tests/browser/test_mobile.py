"""A phone (390 x 844): the menu folds behind a toggler, the Overview's filters behind a
button, the first chart starts in the first screen, and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from tests.browser.session import scroll_into_view, start_signed_in
from tests.browser.test_pages import css_id, open_overview

pytestmark = pytest.mark.browser

TIMEOUT = 20
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def _as_phone(dash_duo) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)


def _shown(dash_duo, selector: str) -> bool:
    found = dash_duo.find_elements(selector)
    return bool(found) and found[0].is_displayed()


def _wait(dash_duo, condition, message: str) -> None:
    WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.1).until(
        lambda _driver: condition(), message
    )


def _overflow(dash_duo) -> int:
    """How far the page reaches past the screen's right edge, in CSS pixels."""
    return dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )


def test_mob001_the_menu_opens_from_its_toggler(dash_duo, dash_app):
    _as_phone(dash_duo)
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_element(f"#{ids.KPI_ROW} .card", timeout=TIMEOUT)
    model = "a.nav-link[href='/model']"
    assert _shown(dash_duo, f"#{ids.NAV_TOGGLER}")
    assert not _shown(dash_duo, model)

    dash_duo.find_element(f"#{ids.NAV_TOGGLER}").click()
    _wait(dash_duo, lambda: _shown(dash_duo, model), "the menu did not open")
    dash_duo.find_element(model).click()
    dash_duo.wait_for_element(f"#{ids.CONFUSION_SUMMARY}", timeout=TIMEOUT)
    _wait(dash_duo, lambda: not _shown(dash_duo, model), "opening a page left it open")
    assert _overflow(dash_duo) <= 0
    assert dash_duo.get_logs() == []


def test_mob002_overview_figures_come_first(dash_duo, dash_app, app_context):
    _as_phone(dash_duo)
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    airline = css_id(ids.category_filter("carrier"))
    assert _shown(dash_duo, f"#{ids.FILTERS_TOGGLE}")
    assert not _shown(dash_duo, airline)  # the filters wait behind their button
    top, screen = dash_duo.driver.execute_script(
        "const chart = document.getElementById(arguments[0]);"
        "return [chart.getBoundingClientRect().top, window.innerHeight];",
        ids.CATEGORY_CHART,
    )
    assert top < screen - 150, (top, screen)  # the KPIs and the first chart show

    dash_duo.find_element(f"#{ids.FILTERS_TOGGLE}").click()
    _wait(dash_duo, lambda: _shown(dash_duo, airline), "the filters did not open")
    rows = dash_duo.wait_for_element(f"#{ids.ROUTES_TABLE} tbody tr", TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.MAP_CHART} .main-svg", timeout=TIMEOUT)
    scroll_into_view(dash_duo, rows)
    assert _overflow(dash_duo) <= 0  # the routes table scrolls inside its card
    title = dash_duo.find_element(f"#{ids.MAP_CHART} .gtitle")
    right, width = dash_duo.driver.execute_script(
        "return [arguments[0].getBoundingClientRect().right, window.innerWidth];",
        title,
    )
    assert right <= width  # the map's title is whole
    assert dash_duo.get_logs() == []


def test_mob003_a_wide_screen_keeps_everything_in_view(dash_duo, dash_app, app_context):
    dash_duo.driver.set_window_size(1440, 1000)
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    assert not _shown(dash_duo, f"#{ids.NAV_TOGGLER}")
    assert _shown(dash_duo, "a.nav-link[href='/model']")
    assert not _shown(dash_duo, f"#{ids.FILTERS_TOGGLE}")
    assert _shown(dash_duo, css_id(ids.category_filter("carrier")))
    assert dash_duo.get_logs() == []
