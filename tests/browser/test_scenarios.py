"""Browser tests: Predict's link, its report opened offline, scenarios saved and
compared, and the Overview's report following its filters (a field in error marked:
test_pages.py's prd003)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from tests.browser.session import scroll_into_view, start_signed_in
from tests.browser.test_pages import (
    PREDICTION,
    TIMEOUT,
    css_id,
    figure_traces,
    set_number,
)

pytestmark = pytest.mark.browser


def _query(dash_duo) -> dict:
    return parse_qs(urlsplit(dash_duo.driver.current_url).query)


def _wait(dash_duo, condition, message: str):
    return WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.1).until(
        lambda _: condition(), message
    )


def _download(dash_duo, href: str) -> requests.Response:
    """GET a link with the browser's session, as the browser's download would."""
    cookies = {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}
    return requests.get(href, cookies=cookies, timeout=60)


def test_sce001_report_of_an_answer_opens_offline(dash_duo, dash_app, tmp_path):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict?hour=18&carrier=UA")
    dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT)
    _wait(
        dash_duo,
        lambda: _query(dash_duo).get("hour") == ["18"],
        "no link to the answer",
    )
    assert _query(dash_duo)["carrier"] == ["UA"]
    link = dash_duo.find_element(css_id(ids.PREDICT_REPORT_HTML)).get_attribute("href")
    assert urlsplit(link).query == urlsplit(dash_duo.driver.current_url).query

    response = _download(dash_duo, link)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    page = tmp_path / "report.html"
    page.write_bytes(response.content)
    # Opened from the disk: everything it draws is in the file.
    dash_duo.driver.get(page.as_uri())
    _wait(
        dash_duo,
        lambda: dash_duo.driver.execute_script("return document.body.dataset.drawn"),
        "the report's charts never drew",
    )
    assert len(dash_duo.driver.find_elements("css selector", ".chart .main-svg")) >= 2
    assert "Airline" in dash_duo.driver.find_element("css selector", "table").text


def _save(dash_duo, name: str) -> None:
    box = dash_duo.find_element(f"#{ids.SCENARIO_NAME}")
    scroll_into_view(dash_duo, box)
    dash_duo.clear_input(box)
    box.send_keys(name, Keys.ENTER)
    dash_duo.wait_for_contains_text(
        f"#{ids.SCENARIO_MESSAGE}", f"Saved “{name}”", timeout=TIMEOUT
    )
    dash_duo.wait_for_contains_text(f"#{ids.SCENARIO_LIST}", name, timeout=TIMEOUT)


def test_sce003_scenarios_saved_compared_and_shared(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict?hour=18")
    dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT)
    _save(dash_duo, "Evening flight")
    assert "scenario" in _query(dash_duo)  # the address bar links to it
    set_number(dash_duo, "hour", 7)
    _wait(dash_duo, lambda: _query(dash_duo).get("hour") == ["7"], "no answer for 7 h")
    _save(dash_duo, "Morning flight")

    compare = dash_duo.find_element(f"#{ids.SCENARIO_LIST} a[href='/compare']")
    scroll_into_view(dash_duo, compare)
    compare.click()
    for name in ("Evening flight", "Morning flight"):
        dash_duo.wait_for_contains_text(f"#{ids.COMPARE_PICK}", name, timeout=TIMEOUT)
    boxes = dash_duo.find_elements(f"#{ids.COMPARE_PICK} label")
    for box in boxes:
        scroll_into_view(dash_duo, box)
        box.click()
    _wait(
        dash_duo, lambda: len(_query(dash_duo).get("s", [])) == 2, "no link to compare"
    )
    bars = _wait(
        dash_duo,
        lambda: _drawn(dash_duo, ids.COMPARE_VALUES, 1),
        "the answers were never compared",
    )
    assert len(bars[0]["x"]) == 2
    curves = _wait(
        dash_duo, lambda: _drawn(dash_duo, ids.COMPARE_WHATIF, 4), "no curves"
    )
    assert len(curves) == 4  # a curve and its marked input, per scenario
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_TABLE}", "Scheduled departure hour")

    # The comparison's link, opened afresh, shows the same comparison.
    dash_duo.driver.get(dash_duo.driver.current_url)
    again = _wait(
        dash_duo, lambda: _drawn(dash_duo, ids.COMPARE_VALUES, 1), "no answers"
    )
    assert sorted(again[0]["x"]) == sorted(bars[0]["x"])
    assert dash_duo.get_logs() == []


def _drawn(dash_duo, graph_id: str, traces: int):
    try:
        drawn = figure_traces(dash_duo, graph_id)
    except AssertionError:
        return None
    return drawn if len(drawn) >= traces and drawn[0].get("x") else None


def test_sce004_overview_report_follows_the_filters(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?hour=6~12")
    dash_duo.wait_for_element(f"#{ids.KPI_ROW} .card", timeout=TIMEOUT)
    link = dash_duo.find_element(css_id(ids.OVERVIEW_REPORT_PDF))
    _wait(
        dash_duo, lambda: "hour=6~12" in link.get_attribute("href"), "report link stale"
    )
    assert urlsplit(link.get_attribute("href")).path == "/report/overview.pdf"
    assert dash_duo.get_logs() == []
