"""Signing in from the browser, as a user does: the login page, then the app."""

from __future__ import annotations

from tests.conftest import PASSWORD


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
    dash_duo.server_url = dash_duo.server.url  # waits for the Dash renderer
