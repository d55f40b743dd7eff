"""Browser: axe-core on every page (signed in as an admin) and in the states a user
reaches, with no serious or critical violation; and the Account page by keyboard alone.
The scan itself is tests/browser/axe_scan.py; what it lets through is listed here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from components.layout import PAGES
from data.ingest import processed_path, read_processed
from data.scenarios import ScenarioStore
from model.batch_check import check_frame
from tests.browser.axe_scan import TIMEOUT, Allowances, Scan, settle
from tests.browser.session import scroll_into_view, sign_in, start_signed_in
from tests.replayed import replayed_home

pytestmark = pytest.mark.browser

WINDOW = (1440, 1000)  # a laptop: the Overview's filters beside the charts
PHONE = (390, 844)  # a phone: the menu and the filters behind buttons

PHONE_STATE = " (a phone: menu and filters open)"
NO_LOGIN = " (local development, no login)"

# Markup that Dash's and AG Grid's own components render and no prop of theirs can
# change: (rule, a class on the flagged node) -> why it is let through, on any page.
UPSTREAM = {
    ("aria-hidden-focus", "dash-dropdown-focus-target"): "dcc.Dropdown (Dash 4.4): an "
    "aria-hidden focus proxy that hands focus on to its button (named by its value)",
    ("aria-dialog-name", "dash-dropdown-content"): "dcc.Dropdown's open list sits "
    "in an unnamed popover",
    ("aria-input-field-name", "dash-options-list"): "dcc.Dropdown's open listbox "
    "has no name of its own (its button has)",
    ("nested-interactive", "dash-dropdown-option"): "dcc.Dropdown's options are "
    "labels around checkboxes",
    ("aria-prohibited-attr", "dash-dropdown-clear"): "dcc.Dropdown's clear "
    "button is an <a> without a role",
    ("aria-allowed-attr", "dash-datepicker-input-wrapper"): "dcc.DatePickerRange "
    "(Dash 4.4) puts aria-expanded on its wrapper div; its inputs are labelled",
    ("aria-input-field-name", "dash-slider-thumb"): "dcc.Slider (Dash 4.4) takes no "
    "name for its thumb; the labelled number box beside it sets the same value",
    ("aria-required-children", "ag-header-row"): "AG Grid's header row of the "
    "pinned-column area, empty when no column is pinned",
    ("scrollable-region-focusable", "ag-body-viewport"): "AG Grid: arrow keys move "
    "focus from the header into the body (its own keyboard model)",
    ("scrollable-region-focusable", "ag-center-cols-viewport"): "AG Grid, as above",
}
# Pending fixes in files another engineer owns: (page and state as the scan names
# it, rule, a fragment of the node's HTML or selector) -> the file and the fix. Each
# must still occur when that page is scanned (else the test says to remove it). The
# lead empties this; never a whole rule.
# Pending fixes in the app's own markup: (page and state, rule, a fragment of the
# element's HTML) -> the file and the fix. Empty: every one found has been fixed.
KNOWN: dict[tuple[str, str, str], str] = {}

# What a page shows once it has drawn (the scan waits for it, then for quiet).
READY = {
    "/": f"#{ids.ROUTES_TABLE} tbody tr",
    "/predict": f"#{ids.PREDICT_WHATIF} .main-svg",
    "/model": f"#{ids.CONFUSION_CHART} .heatmaplayer",
    "/monitor": f"#{ids.LOG_GRID} .ag-center-cols-container .ag-row",
    "/batch": f"#{ids.BATCH_UPLOAD} input[type=file]",
    "/account": f"#{ids.ACCOUNT_KEYS}",
    "/login": "#sign-in",
    "/api/v1/docs": ".swagger-ui .opblock",
}


@pytest.fixture(scope="module")
def replayed_settings(tmp_path_factory, two_versions, flights_spec):
    """Two versions (champion, challenger) and a replayed log: every section drawn."""
    return replayed_home(two_versions, flights_spec, tmp_path_factory.mktemp("a11y"))


@pytest.fixture()
def full_app(replayed_settings):
    """A fresh app (own callbacks) over the replayed home, with the test users."""
    from app import build_context, create_app
    from tests.conftest import add_test_users

    ctx = build_context(replayed_settings, progress=lambda _: None)
    add_test_users(ctx.users)
    return create_app(replayed_settings, context=ctx), ctx


def new_scan(dash_duo) -> Scan:
    """A scan with this module's allowances (KNOWN's uses counted afresh)."""
    return Scan(dash_duo, Allowances(UPSTREAM, KNOWN), READY)


def sign_in_here(dash_duo, name: str) -> None:
    """Sign in on the running server and wait to be let in."""
    sign_in(dash_duo, name)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda driver: "/login" not in driver.current_url, "sign-in never redirected"
    )


def save_scenarios(ctx, user: str) -> None:
    """Two saved scenarios, so Predict lists them and Compare offers them."""
    service, store = ctx.service, ScenarioStore(ctx.database)
    for hour in (7, 18):
        values = service.validate({**service.defaults(), "hour": hour})[0]
        store.save(user, f"Leaving at {hour}", values, service.version)


def test_a11y001_every_page_signed_in_as_an_admin(dash_duo, full_app):
    save_scenarios(full_app[1], "ada")
    scan = new_scan(dash_duo)
    dash_duo.driver.set_window_size(*WINDOW)
    dash_duo.start_server(full_app[0], navigate=False)
    scan.page("/login")
    sign_in(dash_duo, "ada", password="not the password")
    dash_duo.wait_for_element("[data-testid=login-error]", timeout=TIMEOUT)
    scan.here("/login", " (wrong password)")
    sign_in_here(dash_duo, "ada")
    for path in PAGES:
        scan.page(path)
    scan.page("/api/v1/docs")
    scan.check()
    assert dash_duo.get_logs() == []


def css_id(component_id: str | dict) -> str:
    """A CSS selector for a Dash id; dict ids are rendered as sorted, compact JSON."""
    if isinstance(component_id, dict):
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"[id='{component_id}']"


def press(dash_duo, *keys) -> None:
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def batch_file(ctx, folder: Path) -> Path:
    """A small CSV the model accepts, but for one row with a word for a number."""
    service = ctx.service
    frame = read_processed(processed_path(ctx.settings, ctx.spec), ctx.spec)[0]
    features = frame[service.columns].astype(object)
    rows = features[check_frame(service, features).valid].iloc[:20].copy()
    number = next(c for c in service.columns if service.schema[c].kind != "category")
    rows.iloc[2, rows.columns.get_loc(number)] = "lots"
    path = folder / "a11y-upload.csv"
    rows.to_csv(path, index=False)
    return path


def shown(dash_duo, css: str, what: str) -> None:
    """Wait for `css` to be on the page; a timeout names what never showed."""
    WebDriverWait(dash_duo.driver, TIMEOUT, poll_frequency=0.2).until(
        lambda driver: driver.find_elements("css selector", css),
        f"{what} never showed ({css})",
    )


def canary_is_caught(dash_duo) -> None:
    """The scan itself can fail: an unlabelled box added to the page is reported."""
    driver = dash_duo.driver
    driver.execute_script(
        "const i = document.createElement('input'); i.id = 'a11y-canary';"
        "document.body.appendChild(i);"
    )
    canary = new_scan(dash_duo)
    canary.here("/")
    assert any("label" in p and "a11y-canary" in p for p in canary.problems)
    driver.execute_script("document.getElementById('a11y-canary').remove()")


def airline_list_open(scan: Scan) -> None:
    airline = scan.dash_duo.find_element(css_id(ids.category_filter("carrier")))
    scroll_into_view(scan.dash_duo, airline)
    airline.click()
    shown(scan.dash_duo, ".dash-dropdown-options", "the airline list")
    scan.here("/", " (airline list open)")
    press(scan.dash_duo, Keys.ESCAPE)


def predict_refusals(scan: Scan) -> None:
    dash_duo = scan.dash_duo
    scan.page("/predict")
    hour = dash_duo.find_element(css_id(ids.predict_input("hour")))
    scroll_into_view(dash_duo, hour)
    dash_duo.clear_input(hour)
    hour.send_keys("30", Keys.ENTER)
    shown(dash_duo, f"#{ids.PREDICT_MESSAGE} .alert-warning", "hour 30's warning")
    scan.here("/predict", " (hour 30: outside the training data)")
    dash_duo.clear_input(hour)
    hour.send_keys(Keys.TAB)
    shown(dash_duo, f"#{ids.PREDICT_MESSAGE} .alert-danger", "an empty hour's error")
    scan.here("/predict", " (hour empty: an error)")


def model_confirmation(scan: Scan) -> None:
    dash_duo = scan.dash_duo
    scan.page("/model")
    dash_duo.select_dcc_dropdown(css_id(ids.VERSION_PICK), index=-1)
    shown(dash_duo, f"{css_id(ids.VERSION_PICK)} .dash-dropdown-value-item", "a pick")
    press(dash_duo, Keys.ESCAPE)
    # An open list makes the rest of the page ignore the pointer: wait for it to go.
    dash_duo.wait_for_no_elements(".dash-dropdown-options", timeout=TIMEOUT)
    button = dash_duo.find_element(f"#{ids.MAKE_CHAMPION}")
    scroll_into_view(dash_duo, button)  # a click mid-scroll lands elsewhere
    button.click()
    shown(dash_duo, ".modal.show .modal-footer", "the confirmation")
    scan.here("/model", " (confirmation open)")


def batch_checked(scan: Scan, ctx, folder: Path) -> None:
    scan.page("/batch")
    picker = scan.dash_duo.find_element(READY["/batch"])
    picker.send_keys(str(batch_file(ctx, folder)))
    scan.dash_duo.wait_for_contains_text(f"#{ids.BATCH_REPORT}", "19 of 20", TIMEOUT)
    scan.here("/batch", " (a file checked, one row refused)")


def phone_menus_open(scan: Scan) -> None:
    dash_duo = scan.dash_duo
    dash_duo.driver.set_window_size(*PHONE)
    scan.page("/")
    for toggle, opened in (
        (ids.NAV_TOGGLER, ids.NAV_COLLAPSE),
        (ids.FILTERS_TOGGLE, ids.FILTERS_COLLAPSE),
    ):
        button = dash_duo.find_element(f"#{toggle}")
        scroll_into_view(dash_duo, button)
        button.click()
        shown(dash_duo, f"#{opened}.show", f"what {toggle} opens")
    scan.here("/", PHONE_STATE)


def test_a11y002_the_states_a_user_reaches(dash_duo, full_app, tmp_path):
    app, ctx = full_app
    dash_duo.driver.set_window_size(*WINDOW)
    start_signed_in(dash_duo, app, "ada")
    settle(dash_duo, READY["/"])
    canary_is_caught(dash_duo)
    scan = new_scan(dash_duo)
    airline_list_open(scan)
    predict_refusals(scan)
    model_confirmation(scan)
    batch_checked(scan, ctx, tmp_path)
    phone_menus_open(scan)
    scan.check()
    assert dash_duo.get_logs() == []


FOCUS_JS = """
const e = document.activeElement, s = getComputedStyle(e);
const outlined = el => { const t = getComputedStyle(el);
  return t.outlineStyle !== 'none' && parseFloat(t.outlineWidth) > 0; };
// Its own ring, or its box's (Dash rings an input's container when focus is inside).
const ring = parseFloat(s.opacity) > 0.1 && (outlined(e) || s.boxShadow !== 'none'
  || [e.parentElement, e.parentElement?.parentElement].some(p => p && outlined(p)));
return [e.id || e.getAttribute('href') || e.tagName, (e.innerText || '').trim(), ring];
"""


def tab_to(dash_duo, stop: str, most: int = 40) -> list[str]:
    """Press Tab until focus is on `stop` (an id or a link's href); return each stop
    on the way, after checking that each shows where focus is and has a name."""
    seen = []
    for _ in range(most):
        press(dash_duo, Keys.TAB)
        WebDriverWait(dash_duo.driver, 2).until(
            lambda d: d.execute_script(FOCUS_JS)[2],
            f"no visible focus after {seen[-1:]}",
        )
        where, _, _ = dash_duo.driver.execute_script(FOCUS_JS)
        name = dash_duo.driver.switch_to.active_element.accessible_name
        assert name.strip(), f"{where} has no accessible name"
        seen.append(where)
        if where == stop:
            return seen
    raise AssertionError(f"Tab never reached {stop}; it went {seen}")


def test_a11y003_the_account_page_by_keyboard_alone(dash_duo, full_app):
    app, ctx = full_app
    dash_duo.driver.set_window_size(*WINDOW)
    start_signed_in(dash_duo, app, "ana")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/account")
    settle(dash_duo, READY["/account"])

    stops = tab_to(dash_duo, ids.ACCOUNT_KEY_NAME)
    assert stops.index(ids.NAV_USER) < stops.index(ids.SIGN_OUT) < len(stops) - 1
    # The skip link first, then the brand, the pages and the user.
    assert stops[:2] == [f"#{ids.PAGE}", "/"], stops
    dash_duo.driver.switch_to.active_element.send_keys("nightly job")
    assert tab_to(dash_duo, ids.ACCOUNT_KEY_CREATE, most=1)
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNT_NEW_KEY}", "not shown again")
    key = dash_duo.find_element(f"#{ids.ACCOUNT_NEW_KEY_TEXT}").text
    assert ctx.api_keys.authenticate(key).name == "ana"
    scan = new_scan(dash_duo)
    scan.here("/account", " (a new key shown)")

    copy = tab_to(dash_duo, "BUTTON", most=1)  # the copy button inside the box
    assert dash_duo.driver.switch_to.active_element.text == "Copy key", copy
    press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_text_to_equal(f"#{ids.ACCOUNT_NEW_KEY_COPY}", "Copied")

    revoke = css_id(ids.account_revoke(ctx.api_keys.list("ana")[0].id))
    tab_to(dash_duo, dash_duo.find_element(revoke).get_attribute("id"), most=10)
    press(dash_duo, Keys.SPACE)
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNT_KEY_MESSAGE}", "Revoked the key")
    assert ctx.api_keys.authenticate(key) is None
    assert tab_to(dash_duo, "/api/v1/docs", most=5)[-1] == "/api/v1/docs"
    scan.check()
    assert dash_duo.get_logs() == []


def test_a11y004_local_development_without_login(dash_duo, full_app):
    from app import create_app

    _, ctx = full_app
    app = create_app(ctx.settings.with_overrides(auth="local"), context=ctx)
    dash_duo.driver.set_window_size(*WINDOW)
    dash_duo.start_server(app)
    shown(dash_duo, f"#{ids.OPEN_BANNER}", "the no-login banner")
    scan = new_scan(dash_duo)
    for path in ("/", "/account"):
        scan.page(path, NO_LOGIN)
    scan.check()
    assert dash_duo.get_logs() == []
