"""assets/plotly-flightdeck.min.js: plotly.js with only the trace types we draw.

A figure builder that draws a trace type the bundle lacks fails here rather than as a
blank chart in the browser; the committed bundle is the one the build script checks.
"""

from __future__ import annotations

import hashlib
import re

import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from config import ROOT

BUNDLE = ROOT / "assets" / "plotly-flightdeck.min.js"
SOURCE = ROOT / "scripts" / "plotly_bundle"
DRAWING = ("components", "callbacks", "monitor", "server")  # where figures are built
TRACE_TYPES = {
    cls().type
    for name in go.__all__
    if isinstance(cls := getattr(go, name), type) and issubclass(cls, BaseTraceType)
}
# A trace as a dict ("type": "bar") or a graph object (go.Bar(...)).
AS_DICT = re.compile(r"""["']type["']\s*:\s*["'](\w+)["']""")
AS_OBJECT = re.compile(r"\bgo\.([A-Z]\w*)\(")


def bundled() -> set[str]:
    """The trace types entry.js registers, and scatter (always in plotly.js's core)."""
    entry = (SOURCE / "entry.js").read_text(encoding="utf-8")
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry))
    return {"scatter", *registered - {"core"}}


def drawn() -> dict[str, set[str]]:
    """Every trace type named in the app's code, with the files that name it."""
    found: dict[str, set[str]] = {}
    for folder in DRAWING:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            names = set(AS_DICT.findall(text))
            names |= {name.lower() for name in AS_OBJECT.findall(text)}
            for name in names & TRACE_TYPES:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_trace_type_drawn_is_in_the_bundle():
    missing = {k: v for k, v in drawn().items() if k not in bundled()}
    assert not missing, (
        f"figures draw {sorted(missing)} ({missing}), which the Plotly bundle lacks: add "
        "them to scripts/plotly_bundle/entry.js and run scripts/build_plotly_bundle.sh "
        "--update"
    )


def test_the_scan_sees_the_charts_we_know_of():
    """The scan is not blind: the Overview's bars, heatmap and map are found."""
    seen = drawn()
    assert {"bar", "heatmap", "scattergeo", "scatter"} <= set(seen)
    assert "components/overview_figures.py" in seen["bar"]


def test_the_bundle_is_the_recorded_build_and_says_what_it_holds():
    recorded = (SOURCE / "SHA256SUMS").read_text(encoding="utf-8").split()[0]
    assert hashlib.sha256(BUNDLE.read_bytes()).hexdigest() == recorded
    banner = BUNDLE.read_text(encoding="utf-8").splitlines()[0]
    assert all(name in banner for name in bundled())
    assert (ROOT / "assets" / "plotly-flightdeck.LICENSE").exists()


def test_the_overview_figures_draw_only_bundled_traces(app_context):
    from components.overview_view import build_overview

    spec = app_context.spec
    result = build_overview(app_context, None, {}, {}, (spec.bin_columns or [None])[0])
    types = {
        trace.get("type", "scatter")
        for figure in result.figures.values()
        for trace in figure["data"]
    }
    assert {"bar", "heatmap", "scattergeo"} <= types <= bundled()
