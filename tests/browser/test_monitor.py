"""Browser: the Monitor page over a replayed winter, as an analyst reads it."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from tests.browser.session import scroll_into_view, start_signed_in
from tests.replayed import replayed_home

pytestmark = pytest.mark.browser

TIMEOUT = 30
PLOTS = ".js-plotly-plot"
ROWS = f"#{ids.LOG_GRID} .ag-center-cols-container .ag-row"


@pytest.fixture(scope="module")
def replayed_settings(tmp_path_factory, two_versions, flights_spec):
    folder = tmp_path_factory.mktemp("monitor-browser")
    return replayed_home(two_versions, flights_spec, folder)


@pytest.fixture()
def monitor_app(replayed_settings):
    """A fresh app (own callbacks) over the replayed home, with the test users."""
    from app import build_context, create_app
    from tests.conftest import add_test_users

    ctx = build_context(replayed_settings, progress=lambda _: None)
    add_test_users(ctx.users)
    return create_app(replayed_settings, context=ctx)


def _open_monitor(dash_duo, app, name: str = "ana") -> None:
    start_signed_in(dash_duo, app, name)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/monitor")


def _plots(dash_duo, container: str, at_least: int) -> list:
    """The drawn charts inside a card, once there are at least `at_least` of them."""
    selector = f"#{container} {PLOTS} .main-svg"
    WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.2).until(
        lambda driver: len(dash_duo.find_elements(selector)) >= at_least,
        f"{container} drew fewer than {at_least} charts",
    )
    return dash_duo.find_elements(f"#{container} {PLOTS}")


def _titles(plots) -> str:
    return " | ".join(p.find_element("css selector", ".gtitle").text for p in plots)


def test_mon001_every_section_renders_for_a_replayed_winter(dash_duo, monitor_app):
    _open_monitor(dash_duo, monitor_app)
    dash_duo.wait_for_contains_text(f"#{ids.MONITOR_KPIS}", "PREDICTIONS", TIMEOUT)
    alerts = dash_duo.find_element(f"#{ids.MONITOR_ALERTS}").text
    assert "alert(s) in this window" in alerts or "No thresholds breached" in alerts
    assert len(dash_duo.find_elements(f"#{ids.MONITOR_KPIS} .card")) == 6
    traffic = _titles(_plots(dash_duo, ids.MONITOR_TRAFFIC, 3))
    assert "Predictions per day" in traffic and "Latency" in traffic
    assert "live against holdout" in _titles(
        _plots(dash_duo, ids.MONITOR_PREDICTIONS, 2)
    )
    drift = dash_duo.find_element(f"#{ids.MONITOR_DRIFT} table")
    assert "Temperature" in drift.text and "PSI" in drift.text
    detail = _titles(_plots(dash_duo, ids.MONITOR_FEATURE_CHART, 1))
    assert "reference against live" in detail
    performance = _titles(_plots(dash_duo, ids.MONITOR_PERFORMANCE, 4))
    assert "AUC: estimated and realized" in performance
    assert "by segment" in _titles(_plots(dash_duo, ids.MONITOR_SEGMENTS, 1))
    assert "Champion against challenger" in _titles(
        _plots(dash_duo, ids.MONITOR_CHALLENGER, 1)
    )
    grid = dash_duo.find_element(f"#{ids.LOG_GRID}")
    scroll_into_view(dash_duo, grid)
    dash_duo.wait_for_contains_text(ROWS, "2013-12", TIMEOUT)
    assert dash_duo.get_logs() == []


def test_mon002_the_drill_down_and_the_export_follow_the_user(dash_duo, monitor_app):
    _open_monitor(dash_duo, monitor_app)
    first = _titles(_plots(dash_duo, ids.MONITOR_FEATURE_CHART, 1))
    picker = dash_duo.find_element(f"#{ids.MONITOR_FEATURE}")
    scroll_into_view(dash_duo, picker)
    dash_duo.select_dcc_dropdown(f"#{ids.MONITOR_FEATURE}", index=1)
    second = dash_duo.find_element(f"#{ids.MONITOR_FEATURE} .dash-dropdown-value").text
    assert second.split(" (")[0] not in first  # the table's second feature
    dash_duo.wait_for_contains_text(
        f"#{ids.MONITOR_FEATURE_CHART} .gtitle", second.split(" (")[0], TIMEOUT
    )
    scroll_into_view(dash_duo, dash_duo.find_element(f"#{ids.LOG_GRID}"))
    dash_duo.wait_for_contains_text(ROWS, "replay", TIMEOUT)
    export = dash_duo.find_element(f"#{ids.LOG_EXPORT}")
    scroll_into_view(dash_duo, export)
    export.click()
    dash_duo.wait_for_contains_text(f"#{ids.LOG_EXPORT_NOTE}", "rows exported", TIMEOUT)
    assert dash_duo.get_logs() == []


def test_mon003_a_viewer_is_told_the_page_needs_an_analyst(dash_duo, monitor_app):
    _open_monitor(dash_duo, monitor_app, "vic")
    dash_duo.wait_for_contains_text(f"#{ids.FORBIDDEN}", "analyst role", TIMEOUT)
    assert not dash_duo.find_elements(f"#{ids.MONITOR_KPIS}")
    assert dash_duo.get_logs() == []


def test_mon004_the_grid_library_loads_when_the_monitor_is_opened_from_the_nav(
    dash_duo, monitor_app
):
    """The Overview leaves AG Grid out; following the nav to the Monitor loads it first,
    then the log's rows show, with nothing in the console."""
    start_signed_in(dash_duo, monitor_app, "ana")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element(f"#{ids.KPI_ROW} .card", timeout=TIMEOUT)
    assert dash_duo.driver.execute_script("return typeof window.dash_ag_grid") == (
        "undefined"
    )
    dash_duo.find_element("a.nav-link[href='/monitor']").click()
    grid = dash_duo.wait_for_element(f"#{ids.LOG_GRID}", timeout=TIMEOUT)
    # The sections above the log are still drawing: scroll once they stop growing.
    dash_duo.wait_for_contains_text(f"#{ids.MONITOR_KPIS}", "PREDICTIONS", TIMEOUT)
    _plots(dash_duo, ids.MONITOR_CHALLENGER, 1)
    scroll_into_view(dash_duo, grid)
    dash_duo.wait_for_contains_text(ROWS, "2013-12", TIMEOUT)
    assert dash_duo.driver.execute_script("return typeof window.dash_ag_grid") == (
        "object"
    )
    assert dash_duo.get_logs() == []
