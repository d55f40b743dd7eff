"""Browser tests of the example datasets: every page of a binary (text labels), a
three-class and a regression app draws, with no console errors."""

from __future__ import annotations

import pytest

from app import create_app
from components import ids
from tests.browser.session import scroll_into_view, start_signed_in
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.browser

TIMEOUT = 20
PREDICTION = "[data-testid=prediction-value]"


@pytest.mark.parametrize("name", EXAMPLES)
def test_exm001_every_page_draws(dash_duo, example_context, name):
    ctx = example_context(name)
    start_signed_in(dash_duo, create_app(ctx.settings, context=ctx))
    dash_duo.wait_for_element(f"#{ids.CATEGORY_CHART} .main-svg", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(
        f"#{ids.KPI_ROW}", f"{ctx.dataset.total_rows:,}", timeout=TIMEOUT
    )

    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict")
    shown = dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.PREDICT_WHATIF} .scatterlayer", timeout=TIMEOUT)
    if ctx.multiclass:  # the most likely class by name, every class's probability
        dash_duo.wait_for_element(
            f"#{ids.PREDICT_PROBABILITIES} .barlayer", timeout=TIMEOUT
        )
        assert shown.text in ctx.service.classes
    dash_duo.wait_for_contains_text(f"#{ids.PREDICT_EFFECTS} .gtitle", "Why", TIMEOUT)

    dash_duo.wait_for_page(f"{dash_duo.server_url}/model")
    dash_duo.wait_for_contains_text("h4", "Model card", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_exm002_multiclass_effects_follow_the_picked_class(dash_duo, example_context):
    ctx = example_context("iris")
    start_signed_in(dash_duo, create_app(ctx.settings, context=ctx))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/predict")
    top = dash_duo.wait_for_element(PREDICTION, timeout=TIMEOUT).text
    title = f"#{ids.PREDICT_EFFECTS} .gtitle"
    dash_duo.wait_for_contains_text(title, top, timeout=TIMEOUT)
    other = next(c for c in ctx.service.classes if c != top)
    scroll_into_view(dash_duo, dash_duo.find_element(f"#{ids.PREDICT_CLASS}"))
    dash_duo.select_dcc_dropdown(f"#{ids.PREDICT_CLASS}", value=other)
    dash_duo.wait_for_contains_text(title, other, timeout=TIMEOUT)
    assert dash_duo.get_logs() == []
