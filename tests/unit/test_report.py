"""The report builder: a self-contained page (nothing fetched), escaped words, every chart;
the filters in words; Predict's link; the fields a refusal names."""

from __future__ import annotations

import json
import re

import pytest

from components.kpis import Kpi
from components.predict_link import (
    form_value,
    inputs_from_query,
    inputs_query,
    number_text,
    scenario_id,
)
from components.report import Report, report_html
from components.report_views import filters_in_words
from data.filters import Filters
from model.service import InputError

HOSTILE = "<script>alert(1)</script>"


def _report(**changes) -> Report:
    fields = dict(
        title="Flights: Overview",
        subtitle="Will it be late?",
        made_at="23 Nov 2026, 10:00 UTC",
        model_version="v1",
        facts=[("Airline", "UA, DL")],
        kpis=[Kpi("Flights", "1,234", "of 1,300")],
        charts=[
            {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {}},
            {"data": [{"type": "scatter", "x": [1], "y": [2]}], "layout": {}},
        ],
    )
    return Report(**(fields | changes))


def test_report_holds_everything_it_needs_and_fetches_nothing():
    page = report_html(_report())
    assert page.startswith("<!DOCTYPE html>")
    # No script, stylesheet or image from anywhere: the bundle and the topojson are inline.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "window.PlotlyGeoAssets" in page and '"usa_110m"' in page
    assert "plotly.js v4.1.1" in page
    assert page.count('data-chart="chart-') == 2
    for words in ("Flights: Overview", "1,234", "of 1,300", "Airline", "UA, DL", "v1"):
        assert words in page


def test_report_words_and_figures_cannot_break_out():
    chart = {"data": [{"type": "bar", "x": [HOSTILE], "y": [1]}], "layout": {}}
    page = report_html(
        _report(
            title=HOSTILE,
            facts=[(HOSTILE, HOSTILE)],
            charts=[chart],
            warnings=[HOSTILE],
        )
    )
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    block = re.search(r'data-chart="chart-0">(.*?)</script>', page).group(1)
    assert json.loads(block.replace("<\\/", "</"))["data"][0]["x"] == [HOSTILE]


def test_filters_in_words(app_context):
    ctx = app_context
    start, end = ctx.dataset.date_span
    everything = filters_in_words(ctx, Filters(), "visib")
    assert everything[0][0] == "Dates" and "(of" not in everything[0][1]
    assert ("Filters", "none: every one of the flights") in everything
    assert everything[-1] == ("Binned by", "Visibility")
    narrowed = filters_in_words(
        ctx,
        Filters(start, start, {"carrier": ("UA", "DL")}, {"hour": (6.0, 20.0)}),
        None,
    )
    words = dict(narrowed)
    assert words["Airline"] == "United Air Lines Inc. (UA), Delta Air Lines Inc. (DL)"
    assert words["Scheduled departure hour"] == "6–20 h"
    assert "(of" in words["Dates"] and "Filters" not in words


def test_predict_link_round_trip(app_context):
    service = app_context.service
    clean, _ = service.validate({**service.defaults(), "hour": 17, "carrier": "UA"})
    query = inputs_query(clean, service.schema)
    assert "hour=17&" in query and "carrier=UA" in query
    raw = inputs_from_query(query, service.schema, service.defaults())
    assert service.validate(raw)[0] == clean
    # Left out: the defaults; unknown keys and a scenario id are not inputs.
    partial = inputs_from_query(
        "?hour=9&evil=1&scenario=x", service.schema, service.defaults()
    )
    assert (
        partial["hour"] == "9" and "evil" not in partial and "scenario" not in partial
    )
    assert partial["carrier"] == service.defaults()["carrier"]


def test_form_values_and_numbers(app_context):
    schema = app_context.service.schema
    assert number_text(17.0) == "17" and number_text(0.25) == "0.25"
    assert form_value("UA", schema["carrier"]) == "UA"
    assert form_value("nope", schema["carrier"]) is None
    assert form_value("18", schema["hour"]) == 18
    assert form_value("1e999", schema["hour"]) is None
    assert scenario_id("?scenario=abc&s=1") == "abc" and scenario_id(None) is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"hour": "x"}, ["hour"]),
        ({"carrier": "ZZ", "distance": "far"}, ["carrier", "distance"]),
        ({"evil": 1}, []),
    ],
)
def test_a_refusal_names_its_fields(app_context, changes, named):
    service = app_context.service
    with pytest.raises(InputError) as refused:
        service.validate({**service.defaults(), **changes})
    assert refused.value.fields == named
