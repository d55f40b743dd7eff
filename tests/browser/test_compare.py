"""Browser: the Model page compares two versions side by side, and says so when it cannot."""

from __future__ import annotations

import pytest

from components import ids
from components.model_compare import VERDICT_WORDS
from tests.browser.session import scroll_into_view, start_signed_in, two_version_app

pytestmark = pytest.mark.browser

TIMEOUT = 20
VIEW = f"#{ids.COMPARE_VIEW}"


def _pick(dash_duo, component_id: str, label: str) -> None:
    """Pick an option by the words it shows (the version, and the alias it holds)."""
    scroll_into_view(dash_duo, dash_duo.find_element(f"#{component_id}"))
    dash_duo.select_dcc_dropdown(f"#{component_id}", value=label)


def test_cmp001_a_viewer_compares_two_versions(dash_duo, two_version_home):
    _, _, old, new = two_version_home
    start_signed_in(dash_duo, two_version_app(two_version_home), "vic")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    # The champion (new) against the challenger (old), before anyone picks.
    dash_duo.wait_for_contains_text(VIEW, "B − A", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(VIEW, f"B {old}", timeout=TIMEOUT)

    _pick(dash_duo, ids.COMPARE_A, f"{old} · challenger")
    dash_duo.wait_for_contains_text(VIEW, "pick two different versions", TIMEOUT)
    assert not dash_duo.find_elements(f"{VIEW} .js-plotly-plot")

    _pick(dash_duo, ids.COMPARE_B, f"{new} · champion")
    dash_duo.wait_for_contains_text(VIEW, f"B {new}", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(VIEW, "What changed from A to B", TIMEOUT)
    table = dash_duo.find_element(f"{VIEW} table").text
    assert "AUC" in table and "Brier score" in table and "B − A" in table
    assert any(words in table for words in VERDICT_WORDS.values())
    plots = dash_duo.find_elements(f"{VIEW} .js-plotly-plot")
    assert len(plots) == 2
    titles = " ".join(p.find_element("css selector", ".gtitle").text for p in plots)
    assert "ROC on the holdout" in titles and "Calibration on the holdout" in titles
    legend = dash_duo.find_element(f"{VIEW} .legend").text
    assert f"A {old}" in legend and f"B {new}" in legend
    assert dash_duo.get_logs() == []
