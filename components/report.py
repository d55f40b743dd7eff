"""A view as one self-contained HTML file: headline figures, charts, the filters in words.

The charts are the app's own figure dicts, drawn by the same partial Plotly bundle the app
serves, inlined with the map's topojson, so the file opens offline and prints to PDF.
"""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from plotly.io.json import to_json_plotly

from components.kpis import Kpi

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PLOTLY_JS = ASSETS / "plotly-flightdeck.min.js"
TOPOJSON = {"usa_110m": ASSETS / "topojson" / "usa_110m.json"}
# An A4 page less its margins, in CSS pixels: charts drawn this wide print without scaling.
CHART_WIDTH = 700
CHART_HEIGHT = 360

STYLE = f"""
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #212529; margin: 24px auto; max-width: {CHART_WIDTH}px; padding: 0 12px; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }}
h2 {{ font-size: 16px; margin: 24px 0 8px; }}
.muted {{ color: #5c636a; font-size: 13px; }}
.kpis {{ display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0; }}
.kpi {{ border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 12px;
  flex: 1 1 150px; break-inside: avoid; }}
.kpi .title {{ color: #5c636a; font-size: 11px; text-transform: uppercase; }}
.kpi .value {{ font-size: 22px; font-weight: 600; }}
.kpi .note {{ color: #5c636a; font-size: 12px; overflow-wrap: anywhere; }}
table {{ border-collapse: collapse; font-size: 13px; width: 100%; }}
th, td {{ text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid #eee; }}
ul {{ margin: 4px 0; padding-left: 20px; font-size: 14px; }}
.chart {{ width: {CHART_WIDTH}px; height: {CHART_HEIGHT}px; margin: 8px 0 16px;
  break-inside: avoid; }}
.warning {{ background: #fff3cd; border: 1px solid #ffe69c; border-radius: 6px;
  padding: 8px 12px; font-size: 14px; }}
"""

# Draws every chart from its JSON block; marks the body when all are drawn.
DRAW = f"""
const blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
Promise.all(Array.from(blocks, (block) => {{
  const figure = JSON.parse(block.textContent);
  const layout = Object.assign({{}}, figure.layout, {{width: {CHART_WIDTH}, height: {CHART_HEIGHT}}});
  const div = document.getElementById(block.dataset.chart);
  return Plotly.newPlot(div, figure.data || [], layout,
    {{displayModeBar: false, responsive: false}});
}})).then(() => {{ document.body.dataset.drawn = "yes"; }});
"""


@dataclass(frozen=True)
class Report:
    """What a report shows, in words and figure dicts; nothing of Dash."""

    title: str
    subtitle: str
    made_at: str  # when it was made, in words (UTC)
    model_version: str
    facts: list[tuple[str, str]]  # (what, value): the filters or the inputs, in words
    facts_title: str = "Filters"
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    link: str | None = None  # the view in the app


def _script_json(value: str) -> str:
    """JSON safe inside a <script> element: no '</' can end it early."""
    return value.replace("</", "<\\/").replace("<!--", "<\\!--")


def _kpis(kpis: list[Kpi]) -> str:
    cards = "".join(
        '<div class="kpi">'
        f'<div class="title">{html.escape(k.title)}</div>'
        f'<div class="value">{html.escape(k.value)}</div>'
        + (f'<div class="note">{html.escape(k.note)}</div>' if k.note else "")
        + "</div>"
        for k in kpis
    )
    return f'<div class="kpis">{cards}</div>' if cards else ""


def _facts(report: Report) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(what)}</th><td>{html.escape(value)}</td></tr>"
        for what, value in report.facts
    )
    return f"<h2>{html.escape(report.facts_title)}</h2><table>{rows}</table>"


def _charts(charts: list[dict]) -> str:
    parts = []
    for number, figure in enumerate(charts):
        chart_id = f"chart-{number}"
        parts.append(
            f'<div class="chart" id="{chart_id}"></div>'
            f'<script type="application/json" data-chart="{chart_id}">'
            f"{_script_json(to_json_plotly(figure))}</script>"
        )
    return "".join(parts)


@functools.cache
def _plotly_js() -> str:
    """The bundle, read once; a '</script' in it would end its element early."""
    text = PLOTLY_JS.read_text()
    if "</script" in text.lower():
        raise ValueError(f"{PLOTLY_JS.name} cannot be inlined: it holds '</script'")
    return text


@functools.cache
def _geo_assets() -> str:
    """The map's topojson, where Plotly looks before fetching it (so nothing is fetched)."""
    shapes = {name: json.loads(path.read_text()) for name, path in TOPOJSON.items()}
    return "window.PlotlyGeoAssets = " + _script_json(json.dumps({"topojson": shapes}))


def _warnings(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return f'<div class="warning"><strong>Note</strong><ul>{items}</ul></div>'


def report_html(report: Report) -> str:
    """The whole report as one HTML document that needs nothing else to open."""
    link = (
        f'<div class="muted">In the app: {html.escape(report.link)}</div>'
        if report.link
        else ""
    )
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(report.title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>{html.escape(report.title)}</h1>",
            f'<div class="muted">{html.escape(report.subtitle)}</div>',
            f'<div class="muted">Made {html.escape(report.made_at)} with model '
            f"<code>{html.escape(report.model_version)}</code></div>",
            link,
            _warnings(report.warnings),
            _kpis(report.kpis),
            _facts(report),
            _charts(report.charts),
            f"<script>{_geo_assets()}</script>",
            f"<script>{_plotly_js()}</script>",
            f"<script>{DRAW}</script></body></html>",
        ]
    )
