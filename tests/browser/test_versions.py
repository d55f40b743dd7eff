"""Browser: the Model page's versions table, and an admin's promote with a confirmation."""

from __future__ import annotations

import pytest

from components import ids
from tests.browser.session import (
    scroll_into_view,
    start_signed_in,
    two_version_app,
)

pytestmark = pytest.mark.browser

TIMEOUT = 20


def test_ver001_admin_promotes_with_a_confirmation(dash_duo, two_version_home):
    _, registry, old, new = two_version_home
    start_signed_in(dash_duo, two_version_app(two_version_home), "ada")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    dash_duo.wait_for_contains_text(f"#{ids.VERSIONS_TABLE}", old, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.VERSIONS_TABLE}", "champion", TIMEOUT)
    scroll_into_view(dash_duo, dash_duo.find_element(f"#{ids.VERSION_PICK}"))
    dash_duo.select_dcc_dropdown(f"#{ids.VERSION_PICK}", value=old)
    dash_duo.find_element(f"#{ids.ALIAS_NOTE}").send_keys("browser test")
    dash_duo.find_element(f"#{ids.MAKE_CHAMPION}").click()
    dash_duo.wait_for_contains_text(
        f"#{ids.ALIAS_CONFIRM_TEXT}", f"Make {old} the champion?", timeout=TIMEOUT
    )
    assert registry.resolve("champion") == new  # not before the confirmation
    dash_duo.wait_for_element(f"#{ids.ALIAS_CONFIRM_OK}", timeout=TIMEOUT).click()
    dash_duo.wait_for_contains_text(f"#{ids.ALIAS_MESSAGE}", f"→ {old}", TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.ALIAS_HISTORY}", "browser test", TIMEOUT)
    assert registry.resolve("champion") == old
    assert dash_duo.get_logs() == []


def test_ver002_a_viewer_sees_versions_but_cannot_move_them(dash_duo, two_version_home):
    start_signed_in(dash_duo, two_version_app(two_version_home), "vic")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    dash_duo.wait_for_contains_text(f"#{ids.VERSIONS_TABLE}", "champion", TIMEOUT)
    assert not dash_duo.find_element(f"#{ids.MAKE_CHAMPION}").is_enabled()
    assert dash_duo.get_logs() == []
