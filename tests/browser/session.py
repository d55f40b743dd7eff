"""Signing in from the browser, as a user does: the login page, then the app."""

from __future__ import annotations

from selenium.webdriver.support.wait import WebDriverWait

from tests.conftest import PASSWORD

SETTLE_TIMEOUT = 20


def sign_in(dash_duo, name: str, password: str = PASSWORD, next_path: str = "/"):
    """Fill in and send the login form on the running server."""
    base = dash_duo.server.url
    dash_duo.driver.get(f"{base}/login?next={next_path}")
    dash_duo.wait_for_element("#username").send_keys(name)
    dash_duo.find_element("#password").send_keys(password)
    dash_duo.find_element("#sign-in").click()


def start_signed_in(dash_duo, app, name: str = "ana") -> None:
    """Start the app, sign in, and land on the Overview with the renderer loaded."""
    dash_duo.start_server(app, navigate=False)
    sign_in(dash_duo, name)
    # The session cookie comes with the redirect: navigating away first would race it.
    WebDriverWait(dash_duo.driver, SETTLE_TIMEOUT, poll_frequency=0.05).until(
        lambda driver: "/login" not in driver.current_url,
        "the login page never redirected",
    )
    dash_duo.server_url = dash_duo.server.url  # waits for the Dash renderer


def scroll_into_view(dash_duo, element) -> None:
    """Scroll the element into the viewport and wait until it stops moving.

    Bootstrap turns on smooth scrolling, so a click made mid-scroll lands elsewhere.
    """
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'});", element
    )
    last = {}

    def settled(driver) -> bool:
        top, bottom, height = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return [r.top, r.bottom, window.innerHeight];",
            element,
        )
        still, last["top"] = last.get("top") == top, top
        return still and top >= 0 and bottom <= height

    WebDriverWait(dash_duo.driver, SETTLE_TIMEOUT, poll_frequency=0.1).until(
        settled, "the element never came to rest inside the viewport"
    )


def two_version_app(two_version_home):
    """A fresh app over the two-version home (aliases read at once), with test users."""
    from app import build_context, create_app
    from tests.conftest import add_test_users

    settings = two_version_home[0].with_overrides(alias_poll_s=0.0)
    ctx = build_context(settings, progress=lambda _: None)
    add_test_users(ctx.users)
    return create_app(settings, context=ctx)
