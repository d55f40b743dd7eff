"""Browser tests: a fresh app per test, driven in headless Chromium as a user would."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from data import aggregates as agg
from tests.browser.session import scroll_into_view, start_signed_in

pytestmark = pytest.mark.browser

TIMEOUT = 20
FLIGHTS_KPI = f"#{ids.KPI_ROW} > div:nth-child(1) .fs-3"
PREDICTION = "[data-testid=prediction-value]"
PERCENT = re.compile(r"^\d{1,3}\.\d%$")


def css_id(component_id: str | dict) -> str:
    """A CSS selector for a Dash id; dict ids are rendered as sorted, compact JSON."""
    if isinstance(component_id, dict):
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"[id='{component_id}']"


def dropdown_value(column: str) -> str:
    return f"{css_id(ids.category_filter(column))} .dash-dropdown-value"


def _array(value) -> list:
    """A trace array as a list, decoding plotly's base64 typed-array form."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(
            base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])
        ).tolist()
    return list(value)


def figure_traces(dash_duo, graph_id: str) -> list[dict]:
    """The data of a rendered graph, read from its plotly div in the page."""
    raw = dash_duo.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.data ? JSON.stringify(gd.data) : null;",
        css_id(graph_id),
    )
    assert raw is not None, f"{graph_id} has not been drawn"
    return [
        {key: _array(trace[key]) for key in ("x", "y") if key in trace}
        for trace in json.loads(raw)
    ]


def wait_for_traces(dash_duo, graph_id: str, check, message: str) -> list[dict]:
    """Wait until the graph's data satisfies `check`, then return it."""
    found = {}

    def ready(_driver) -> bool:
        try:
            found["traces"] = figure_traces(dash_duo, graph_id)
        except AssertionError:
            return False
        return bool(check(found["traces"]))

    WebDriverWait(dash_duo.driver, TIMEOUT).until(ready, message)
    return found["traces"]


def wait_for_airline_chart(dash_duo, carriers: list[str]) -> None:
    """The bars lie down: one per airline code on y, its rate on x."""
    wait_for_traces(
        dash_duo,
        ids.CATEGORY_CHART,
        lambda traces: traces[0].get("y") == carriers,
        f"the airline chart did not narrow to {carriers}",
    )


def flights_for(app_context, carrier: str | None = None) -> str:
    """The Flights KPI as the page should show it, from the data tier."""
    dataset = app_context.dataset
    if carrier is not None:
        dataset = dataset.filter(
            dataset.parse_filters(categories={"carrier": [carrier]})
        )
    return f"{agg.kpis(dataset)['rows']:,}"


def open_overview(dash_duo, app_context) -> None:
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context), timeout=TIMEOUT
    )
    wait_for_traces(
        dash_duo,
        ids.CATEGORY_CHART,
        lambda traces: traces and traces[0].get("y"),
        "the airline chart never drew its bars",
    )


def carrier_label(app_context, carrier: str) -> str:
    """What the airline filter reads for a code: 'United Air Lines Inc. (UA)'."""
    from data.names import option_label

    return option_label(carrier, app_context.dataset.names("carrier").get(carrier))


def choose_carrier(dash_duo, label: str) -> None:
    """Pick an airline by what its option reads (carrier_label)."""
    dash_duo.select_dcc_dropdown(css_id(ids.category_filter("carrier")), value=label)
    ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()
    dash_duo.wait_for_no_elements(".dash-dropdown-options", timeout=TIMEOUT)


def set_number(dash_duo, column: str, value) -> None:
    """Replace a Predict form number the way a user does: select all, type."""
    field = dash_duo.find_element(css_id(ids.predict_input(column)))
    scroll_into_view(dash_duo, field)
    dash_duo.clear_input(field)
    field.send_keys(str(value), Keys.ENTER)


def busy_carrier(app_context) -> str:
    carriers = app_context.dataset.categories("carrier")
    return "UA" if "UA" in carriers else carriers[0]


def test_ovw001_overview_loads(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)

    labels = [
        e.get_attribute("textContent")
        for e in dash_duo.find_elements(f"#{ids.KPI_ROW} .card .text-uppercase")
    ]
    assert labels == [
        "Flights",
        "Delayed 15+ min",
        "Mean departure delay",
        "Cancelled",
        "Predicted vs actual",
    ]
    values = [e.text for e in dash_duo.find_elements(f"#{ids.KPI_ROW} .card .fs-3")]
    assert all(values), values
    assert PERCENT.match(values[1]), values[1]

    for chart in (
        ids.CATEGORY_CHART,
        ids.HEATMAP_CHART,
        ids.TREND_CHART,
        ids.MAP_CHART,
        ids.DISTRIBUTION_CHART,
        ids.BINS_CHART,
    ):
        dash_duo.wait_for_element(f"#{chart} .main-svg", timeout=TIMEOUT)
        assert figure_traces(dash_duo, chart), f"{chart} has no traces"
    bars = figure_traces(dash_duo, ids.CATEGORY_CHART)[0]
    assert sorted(bars["y"]) == sorted(app_context.dataset.categories("carrier"))
    # The US outline comes from the topojson in assets/, fetched under the CSP.
    dash_duo.wait_for_element(f"#{ids.MAP_CHART} .layer.land path", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.ROUTES_TABLE} tbody tr", timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.FILTER_MESSAGE}").text == ""
    # The first load carries neither the grid library nor the full Plotly bundle.
    loaded = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)"
    )
    assert not [name for name in loaded if "ag_grid" in name or "community" in name]
    assert not [
        name for name in loaded if name.split("?")[0].endswith("/plotly.min.js")
    ]
    assert dash_duo.driver.execute_script("return typeof window.dash_ag_grid") == (
        "undefined"
    )
    assert dash_duo.get_logs() == []


def test_ovw002_filter_changes_chart(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    carrier = busy_carrier(app_context)
    expected = flights_for(app_context, carrier)
    assert expected != flights_for(app_context)

    label = carrier_label(app_context, carrier)
    choose_carrier(dash_duo, label)

    dash_duo.wait_for_text_to_equal(dropdown_value("carrier"), label, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(FLIGHTS_KPI, expected, timeout=TIMEOUT)
    wait_for_airline_chart(dash_duo, [carrier])
    assert dash_duo.get_logs() == []


def test_ovw003_bar_click_cross_filters(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    bars = figure_traces(dash_duo, ids.CATEGORY_CHART)[0]
    tallest = int(np.nanargmax(bars["x"]))  # the longest: the bars lie down
    carrier = bars["y"][tallest]
    paths = dash_duo.find_elements(f"#{ids.CATEGORY_CHART} .trace.bars .point path")
    assert len(paths) == len(bars["y"])
    dash_duo.wait_for_text_to_equal(dropdown_value("carrier"), "All", timeout=TIMEOUT)

    bar = paths[tallest]
    scroll_into_view(dash_duo, bar)
    ActionChains(dash_duo.driver).move_to_element(bar).pause(0.2).click().perform()

    label = carrier_label(app_context, carrier)
    dash_duo.wait_for_text_to_equal(dropdown_value("carrier"), label, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context, carrier), timeout=TIMEOUT
    )
    wait_for_airline_chart(dash_duo, [carrier])
    assert dash_duo.get_logs() == []


def test_ovw004_reset_clears_filters(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    carrier = busy_carrier(app_context)
    choose_carrier(dash_duo, carrier_label(app_context, carrier))
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context, carrier), timeout=TIMEOUT
    )

    reset = dash_duo.find_element(f"#{ids.RESET_FILTERS}")
    scroll_into_view(dash_duo, reset)
    reset.click()

    dash_duo.wait_for_text_to_equal(dropdown_value("carrier"), "All", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context), timeout=TIMEOUT
    )
    wait_for_traces(
        dash_duo,
        ids.CATEGORY_CHART,
        lambda traces: len(traces[0].get("y", [])) > 1,
        "the airline chart did not show every airline again",
    )
    assert dash_duo.get_logs() == []


def test_prd001_prediction_shown(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict")
    shown = dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT).text
    assert PERCENT.match(shown), shown
    # The what-if curve holds the model's answer at each hour, other inputs unchanged.
    curve = wait_for_traces(
        dash_duo,
        ids.PREDICT_WHATIF,
        lambda traces: len(traces) == 2,
        "the what-if chart never drew",
    )[0]
    hour, value = next(
        (h, v)
        for h, v in zip(curve["x"], curve["y"], strict=True)
        if f"{v:.1%}" != shown and h >= 10  # two keystrokes, one prediction
    )
    logged = app_context.log.count()

    set_number(dash_duo, "hour", int(hour))

    dash_duo.wait_for_text_to_equal(PREDICTION, f"{value:.1%}", timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.PREDICT_MESSAGE}").text == ""
    assert app_context.log.count() == logged + 1
    assert dash_duo.get_logs() == []


def test_prd002_invalid_input_message(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict")
    dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT)

    set_number(dash_duo, "hour", 30)

    dash_duo.wait_for_contains_text(
        f"#{ids.PREDICT_MESSAGE} .alert-warning",
        "Outside the training data",
        timeout=TIMEOUT,
    )
    dash_duo.wait_for_contains_text(
        f"#{ids.PREDICT_MESSAGE} .alert-warning",
        "Scheduled departure hour = 30",
        timeout=TIMEOUT,
    )
    assert PERCENT.match(dash_duo.find_element(PREDICTION).text)
    assert dash_duo.get_logs() == []


def test_prd003_missing_input_error(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict")
    dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT)

    hour = dash_duo.find_element(css_id(ids.predict_input("hour")))
    scroll_into_view(dash_duo, hour)
    dash_duo.clear_input(hour)
    hour.send_keys(Keys.TAB)  # leaving the field commits it

    dash_duo.wait_for_contains_text(
        f"#{ids.PREDICT_MESSAGE} .alert-danger",
        "Scheduled departure hour: a value is required",
        timeout=TIMEOUT,
    )
    dash_duo.wait_for_no_elements(PREDICTION, timeout=TIMEOUT)
    # The field the refusal names is marked, and no other; no answer, nothing to report.
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda _: "is-invalid" in hour.get_attribute("class"), "the hour was not marked"
    )
    distance = dash_duo.find_element(css_id(ids.predict_input("distance")))
    assert "is-invalid" not in distance.get_attribute("class")
    report = dash_duo.find_element(css_id(ids.PREDICT_REPORT_HTML))
    assert report.get_attribute("href") in (None, "")

    set_number(dash_duo, "hour", 9)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda _: "is-invalid" not in hour.get_attribute("class"), "still marked"
    )
    assert dash_duo.get_logs() == []


def test_mdl001_model_card_threshold(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    table = app_context.service.card.curves.thresholds

    def flagged(threshold: float) -> str:
        tp, fp, tn, fn = table.tp_fp_tn_fn[table.values.index(threshold)]
        rows = tp + fp + tn + fn
        return f"At {threshold:.2f}: flags {tp + fp:,} of {rows:,} holdout rows;"

    summary = f"#{ids.CONFUSION_SUMMARY}"
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    dash_duo.wait_for_contains_text(summary, flagged(0.3), timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.CONFUSION_CHART} .heatmaplayer", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(
        f"#{ids.CONFUSION_CHART} .gtitle", "threshold 0.30", timeout=TIMEOUT
    )

    thumb = dash_duo.find_element(f"#{ids.THRESHOLD} [role='slider']")
    scroll_into_view(dash_duo, thumb)
    thumb.click()
    thumb.send_keys(*[Keys.ARROW_RIGHT] * 5)

    dash_duo.wait_for_contains_text(summary, flagged(0.35), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(
        f"#{ids.CONFUSION_CHART} .gtitle", "threshold 0.35", timeout=TIMEOUT
    )
    box = dash_duo.find_element(f"#{ids.THRESHOLD_INPUT}")
    assert box.get_attribute("value") == "0.35"  # the box follows the slider

    # Typing a threshold and pressing Enter redraws at once (no Tab needed).
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0.42", Keys.ENTER)
    dash_duo.wait_for_contains_text(summary, flagged(0.42), timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(
        f"#{ids.CONFUSION_CHART} .gtitle", "threshold 0.42", timeout=TIMEOUT
    )
    # A cleared box says so, with no stale matrix under the message.
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE, Keys.ENTER)
    dash_duo.wait_for_contains_text(summary, "must be a number", timeout=TIMEOUT)
    dash_duo.wait_for_no_elements(f"#{ids.CONFUSION_CHART} .heatmaplayer", TIMEOUT)
    assert dash_duo.get_logs() == []


def test_nav001_navbar_links_and_unknown_page(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_element(f"#{ids.KPI_ROW} .card", timeout=TIMEOUT)

    dash_duo.find_element("a.nav-link[href='/predict']").click()
    dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT)
    dash_duo.find_element("a.nav-link[href='/model']").click()
    dash_duo.wait_for_element(f"#{ids.CONFUSION_SUMMARY}", timeout=TIMEOUT)
    dash_duo.wait_for_contains_class(
        "a.nav-link[href='/model']", "active", timeout=TIMEOUT
    )

    dash_duo.wait_for_page(f"{dash_duo.server_url}/no-such-page")
    dash_duo.wait_for_contains_text(
        f"#{ids.PAGE} .alert-warning", "No page at /no-such-page", timeout=TIMEOUT
    )
    assert dash_duo.get_logs() == []


def test_nav002_charts_load_the_partial_plotly_bundle_when_they_first_need_it(
    dash_duo, dash_app
):
    """The Account page has no charts, so no Plotly; opening the Overview from it draws
    the charts with the partial bundle, through dcc.Graph's own loader."""
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/account")
    dash_duo.wait_for_element(f"#{ids.PAGE} form, #{ids.PAGE} input", timeout=TIMEOUT)
    plotly = "return performance.getEntriesByType('resource').map(r => r.name)"
    assert not [n for n in dash_duo.driver.execute_script(plotly) if "plotly" in n]
    assert dash_duo.driver.execute_script("return typeof window.Plotly") == "undefined"

    dash_duo.find_element("a.nav-link[href='/']").click()
    dash_duo.wait_for_element(f"#{ids.CATEGORY_CHART} .main-svg", timeout=TIMEOUT)
    loaded = [n.split("?")[0] for n in dash_duo.driver.execute_script(plotly)]
    assert [n for n in loaded if "plotly" in n][-1].endswith(
        "/assets/plotly-flightdeck.min.js"
    )
    assert not [n for n in loaded if n.endswith("/plotly.min.js")]
    assert dash_duo.get_logs() == []


def test_ovw005_view_is_shareable_as_a_link(dash_duo, dash_app, app_context):
    start_signed_in(dash_duo, dash_app)
    open_overview(dash_duo, app_context)
    carrier = busy_carrier(app_context)
    label = carrier_label(app_context, carrier)
    choose_carrier(dash_duo, label)
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context, carrier), timeout=TIMEOUT
    )
    link = dash_duo.driver.current_url
    assert link.endswith(f"/?carrier={carrier}")

    dash_duo.driver.get(dash_duo.server_url + "/")  # someone else opens the link later
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context), timeout=TIMEOUT
    )
    dash_duo.driver.get(link)
    dash_duo.wait_for_text_to_equal(dropdown_value("carrier"), label, timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(
        FLIGHTS_KPI, flights_for(app_context, carrier), timeout=TIMEOUT
    )
    assert dash_duo.get_logs() == []
