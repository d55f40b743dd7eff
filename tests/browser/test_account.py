"""The Account page in headless Chromium: make an API key, see it once, revoke it."""

from __future__ import annotations

import os

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from components import ids
from data.api_keys import ApiKeyStore
from tests.browser.session import scroll_into_view, start_signed_in

pytestmark = pytest.mark.browser

TIMEOUT = 20
SHOTS = os.environ.get("FLIGHTDECK_SCREENSHOTS")  # a folder: save what the test saw


def _shot(dash_duo, name: str) -> None:
    """With FLIGHTDECK_SCREENSHOTS set, save the page at 1440 and at 390 px wide."""
    if not SHOTS:
        return
    for width, height in ((1440, 1100), (390, 1700)):
        dash_duo.driver.set_window_size(width, height)
        dash_duo.driver.save_screenshot(os.path.join(SHOTS, f"{name}-{width}.png"))


def _revoke_all(store: ApiKeyStore) -> None:
    for key in store.list():
        if key.active:
            store.revoke(key.id)


def test_acct001_create_a_key_see_it_once_and_revoke_it(
    dash_duo, dash_app, app_context
):
    store = ApiKeyStore(app_context.database, cache_s=0.0)
    _revoke_all(store)
    start_signed_in(dash_duo, dash_app, "vic")
    dash_duo.find_element(f"#{ids.NAV_USER}").click()  # the user menu leads here
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNT_WHO}", "vic", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNT_WHO}", "viewer", timeout=TIMEOUT)
    assert [a.text for a in dash_duo.find_elements("a.nav-link")] == [
        "Overview",
        "Model",
    ]

    dash_duo.find_element(f"#{ids.ACCOUNT_KEY_NAME}").send_keys("nightly job")
    dash_duo.find_element(f"#{ids.ACCOUNT_KEY_CREATE}").click()
    dash_duo.wait_for_contains_text(
        f"#{ids.ACCOUNT_NEW_KEY}", "not shown again", timeout=TIMEOUT
    )
    key = dash_duo.find_element(f"#{ids.ACCOUNT_NEW_KEY_TEXT}").text
    assert store.authenticate(key).name == "vic"
    dash_duo.wait_for_contains_text(
        f"#{ids.ACCOUNT_KEYS}", "nightly job", timeout=TIMEOUT
    )
    assert key not in dash_duo.find_element(f"#{ids.ACCOUNT_KEYS}").text
    assert dash_duo.find_elements(f"#{ids.ACCOUNT_NEW_KEY_COPY}")
    _shot(dash_duo, "account-created")

    button = dash_duo.find_element(f"#{ids.ACCOUNT_KEYS} button")
    scroll_into_view(dash_duo, button)
    button.click()
    dash_duo.wait_for_contains_text(
        f"#{ids.ACCOUNT_KEY_MESSAGE}", "Revoked the key 'nightly job'", timeout=TIMEOUT
    )
    dash_duo.wait_for_contains_text(f"#{ids.ACCOUNT_KEYS}", "revoked", timeout=TIMEOUT)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda _: (
            not dash_duo.find_elements(f"#{ids.ACCOUNT_NEW_KEY_TEXT}")
            or key not in dash_duo.driver.page_source
        ),
        "the new key stayed on the page after its revoke",
    )
    assert store.authenticate(key) is None
    assert dash_duo.find_elements(f"#{ids.ACCOUNT_KEYS} button") == []
    _shot(dash_duo, "account-revoked")
    assert dash_duo.get_logs() == []
