"""Browser: an admin retrains from the Model page as a background job, sees its progress
and the gate's verdict, and the new version joins the table."""

from __future__ import annotations

import pytest

from components import ids
from model.retrain import retrain_lock
from tests.browser.session import (
    scroll_into_view,
    start_signed_in,
    two_version_app,
)

pytestmark = pytest.mark.browser

TIMEOUT = 20
RETRAIN_TIMEOUT = 120


def _start(dash_duo):
    button = dash_duo.wait_for_element(f"#{ids.RETRAIN_START}", timeout=TIMEOUT)
    scroll_into_view(dash_duo, button)
    button.click()


def test_rtr001_admin_retrains_and_sees_the_verdict(dash_duo, two_version_home):
    _, registry, old, new = two_version_home
    start_signed_in(dash_duo, two_version_app(two_version_home), "ada")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    _start(dash_duo)
    dash_duo.wait_for_contains_text(
        f"#{ids.RETRAIN_RESULT}", "Retrained in", timeout=RETRAIN_TIMEOUT
    )
    versions = registry.versions()
    (candidate,) = set(versions) - {old, new}
    verdict = dash_duo.find_element(f"#{ids.RETRAIN_RESULT}").text
    assert candidate in verdict and "Champion" in verdict and "brier" in verdict
    assert ("promoted" in verdict) == (registry.resolve("champion") == candidate)
    assert ("kept as challenger" in verdict) == (
        registry.resolve("challenger") == candidate
    )
    dash_duo.wait_for_contains_text(f"#{ids.VERSIONS_TABLE}", candidate, TIMEOUT)
    move = registry.alias_store.history(1)[0]
    assert move.user == "ada" and move.to_version == candidate
    assert dash_duo.find_element(f"#{ids.RETRAIN_START}").is_enabled()
    assert dash_duo.get_logs() == []


def test_rtr002_one_retrain_at_a_time(dash_duo, two_version_home, flights_spec):
    settings, registry, old, new = two_version_home
    start_signed_in(dash_duo, two_version_app(two_version_home), "ada")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    with retrain_lock(settings, flights_spec, "cron"):
        _start(dash_duo)
        dash_duo.wait_for_contains_text(
            f"#{ids.RETRAIN_STATUS}", "already running (by cron", timeout=TIMEOUT
        )
    assert registry.versions() == sorted([old, new])
    assert dash_duo.get_logs() == []


def test_rtr003_a_viewer_cannot_retrain(dash_duo, two_version_home):
    start_signed_in(dash_duo, two_version_app(two_version_home), "vic")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    button = dash_duo.wait_for_element(f"#{ids.RETRAIN_START}", timeout=TIMEOUT)
    assert not button.is_enabled()
    assert "Only admins can retrain." in dash_duo.find_element("body").text
    assert dash_duo.get_logs() == []
