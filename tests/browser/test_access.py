"""Login, roles and hostile text as a user meets them in headless Chromium."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app import create_app
from components import ids
from tests.browser.session import sign_in, start_signed_in

pytestmark = pytest.mark.browser

TIMEOUT = 20
XSS = '<img src=x onerror="window.__xss=1">'
SIGNED_IN_AS = f"#{ids.NAV_USER}"


def _no_injection(dash_duo) -> None:
    """No payload ran, and none became an element (the CSP would also have logged it)."""
    assert dash_duo.driver.execute_script("return window.__xss === undefined")
    assert dash_duo.driver.find_elements("css selector", "img[src='x']") == []


def test_acc001_sign_in_wrong_then_right_then_out(dash_duo, dash_app):
    dash_duo.start_server(dash_app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/predict")
    dash_duo.wait_for_element("#username")  # sent to the login page
    sign_in(dash_duo, "ana", password="not the password", next_path="/predict")
    dash_duo.wait_for_contains_text(
        "[data-testid=login-error]", "Wrong user name or password", timeout=TIMEOUT
    )
    sign_in(dash_duo, "ana", next_path="/predict")
    dash_duo.wait_for_element("[data-testid=prediction-value]", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(SIGNED_IN_AS, "ana", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(SIGNED_IN_AS, "analyst", timeout=TIMEOUT)

    dash_duo.find_element(f"#{ids.SIGN_OUT}").click()
    dash_duo.wait_for_contains_text("body", "You are signed out", timeout=TIMEOUT)
    dash_duo.driver.get(f"{dash_duo.server.url}/")
    dash_duo.wait_for_element("#username")
    assert dash_duo.get_logs() == []


def test_acc002_a_viewer_sees_no_predict(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app, "vic")
    dash_duo.wait_for_element(f"#{ids.KPI_ROW} .card", timeout=TIMEOUT)
    links = [a.text for a in dash_duo.find_elements("a.nav-link")]
    assert links == ["Overview", "Model"]
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict")
    dash_duo.wait_for_contains_text(
        f"#{ids.FORBIDDEN}", "Predict needs the analyst role", timeout=TIMEOUT
    )
    assert dash_duo.find_elements("[data-testid=prediction-value]") == []
    assert dash_duo.get_logs() == []


def test_acc003_hostile_share_link_is_shown_as_text(dash_duo, dash_app):
    start_signed_in(dash_duo, dash_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?carrier={quote(XSS)}")
    dash_duo.wait_for_contains_text(
        f"#{ids.PAGE} .alert", "This link's filters were not applied", timeout=TIMEOUT
    )
    dash_duo.wait_for_contains_text(
        f"#{ids.PAGE} .alert", "<img src=x", timeout=TIMEOUT
    )
    _no_injection(dash_duo)
    assert dash_duo.get_logs() == []


def test_acc004_hostile_login_fields_are_inert(dash_duo, dash_app):
    dash_duo.start_server(dash_app, navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/login?next={quote(XSS)}")
    sign_in(dash_duo, XSS, password="whatever it is", next_path=quote(XSS))
    dash_duo.wait_for_contains_text(
        "[data-testid=login-error]", "Wrong user name or password", timeout=TIMEOUT
    )
    value = dash_duo.find_element("#username").get_attribute("value")
    assert value == XSS  # given back as the field's text, not as markup
    _no_injection(dash_duo)
    assert dash_duo.get_logs() == []


def test_acc005_local_development_says_there_is_no_login(
    dash_duo, small_settings, app_context
):
    app = create_app(small_settings.with_overrides(auth="local"), context=app_context)
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text(
        f"#{ids.OPEN_BANNER}", "Local development: no login", timeout=TIMEOUT
    )
    dash_duo.wait_for_element(f"#{ids.KPI_ROW} .card", timeout=TIMEOUT)
    assert dash_duo.find_elements(f"#{ids.SIGN_OUT}") == []
    assert dash_duo.get_logs() == []
