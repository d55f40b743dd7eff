"""The shared look: a colour-blind-safe palette everywhere, and toolbars that cover
nothing (flat, on hover, and none on a chart with nothing to show)."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from components import class_figures, monitor_figures, overview_figures, theme
from components.overview_view import build_overview
from config import ROOT

OKABE_ITO = {
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
}
# The palette before: Tailwind's blue, amber, green and red, and their light tints.
OLD_COLORS = {"#2563eb", "#f59e0b", "#059669", "#dc2626", "#93c5fd", "#f97316"}
FIGURE_BUILDERS = [
    "overview_figures.py",
    "route_map.py",
    "class_figures.py",
    "model_figures.py",
    "monitor_figures.py",
    "theme.py",
]


def test_series_colors_are_okabe_ito():
    assert set(theme.CATEGORICAL) == OKABE_ITO
    assert {theme.PRIMARY, theme.ACCENT, theme.GOOD, theme.BAD} <= OKABE_ITO
    assert tuple(class_figures.PALETTE) == theme.CATEGORICAL
    assert set(monitor_figures.SERIES[:6]) <= OKABE_ITO


def test_the_risk_scale_darkens_steadily():
    """One hue order from pale to dark: the order reads without telling hues apart."""

    def lightness(color: str) -> float:
        red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    stops = [lightness(color) for _, color in theme.RISK_SCALE]
    assert stops == sorted(stops, reverse=True)


def test_no_figure_builder_keeps_the_old_palette():
    for name in FIGURE_BUILDERS:
        text = (ROOT / "components" / name).read_text(encoding="utf-8").lower()
        found = set(re.findall(r"#[0-9a-f]{6}", text)) & OLD_COLORS
        assert not found, f"{name} still uses {found}"


def test_toolbars_lie_flat_show_on_hover_and_upload_nothing():
    assert theme.LAYOUT["modebar"]["orientation"] == "h"
    config = theme.GRAPH_CONFIG
    assert config["displayModeBar"] == "hover" and config["displaylogo"] is False
    assert config["showSendToCloud"] is False
    assert "sendChartToCloud" in config["modeBarButtonsToRemove"]


def test_an_empty_chart_has_no_toolbar():
    layout = go.Figure(theme.empty("Nothing", height=300)).layout
    assert set(layout.modebar.remove) >= {
        "toimage",
        "zoom",
        "pan",
        "reset",
        "resetscale",
    }
    assert layout.height == 300 and layout.annotations[0].text.startswith("No rows")


def first_pass(value) -> str:
    """What Plotly's JSON encoder writes before it checks for NaN (and, finding one,
    parses the whole text and writes it again)."""
    return json.JSONEncoder.encode(PlotlyJSONEncoder(), value)


def test_nan_leaves_the_traces_as_null_so_the_encoder_writes_the_response_once():
    fig = theme.figure("Rates")
    rates = np.array([0.2, np.nan, 0.3])
    counts = np.array([3.0, 0.0, 4.0])
    z = np.array([[0.1, np.nan], [np.nan, 0.4]])
    fig["data"] = [
        {"type": "bar", "y": rates, "customdata": counts, "error_y": {"array": rates}},
        {"type": "heatmap", "z": z},
    ]
    theme.without_nan(fig)
    bar, heatmap = fig["data"]
    assert bar["y"] == [0.2, None, 0.3] and bar["error_y"]["array"] == [0.2, None, 0.3]
    assert bar["customdata"] is counts  # no NaN: left as it is
    assert heatmap["z"] == [[0.1, None], [None, 0.4]]
    # Plotly's encoder parses and rewrites a response whose first pass holds NaN.
    assert "NaN" not in first_pass(fig)
    go.Figure(fig)  # still a valid figure


def test_the_overview_sends_no_nan(app_context, monkeypatch):
    """A rate with no labelled rows (a bin of cancelled flights) is null, never NaN."""

    def with_a_gap(*_args, **_kwargs):
        fig = theme.figure("Late by visibility")
        fig["data"] = [{"type": "bar", "y": np.array([0.2, np.nan])}]
        return fig

    monkeypatch.setattr(overview_figures, "rate_by_bins", with_a_gap)
    bins = (app_context.spec.bin_columns or [None])[0]
    figures = build_overview(app_context, None, {}, {}, bins, "all").figures
    assert "Late by visibility" in str(figures)
    assert "NaN" not in first_pass(figures)
