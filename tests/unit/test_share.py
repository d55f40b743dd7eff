"""Sharing a view: filters to a URL query and back, validated like any client input."""

from __future__ import annotations

from components.share import defaults, from_query, to_query, view_from_link


def test_round_trip(app_context):
    base = defaults(app_context)
    query = to_query(
        ["2013-03-01", "2013-08-31"],
        {"carrier": ["UA", "DL"], "origin": None},
        {"hour": [6, 20], "visib": list(base["ranges"]["visib"])},
        "precip",
        base,
    )
    assert (
        query
        == "?start=2013-03-01&end=2013-08-31&carrier=UA&carrier=DL&hour=6~20&bins=precip"
    )
    raw = from_query(
        query, app_context.spec.category_filters, app_context.spec.range_filters
    )
    assert raw["dates"] == ["2013-03-01", "2013-08-31"]
    assert raw["categories"] == {"carrier": ["UA", "DL"]}
    assert raw["ranges"] == {"hour": [6.0, 20.0]} and raw["bins"] == "precip"


def test_defaults_make_a_clean_url(app_context):
    base = defaults(app_context)
    span = [str(d) for d in base["dates"]]
    assert to_query(span, {"carrier": None}, base["ranges"], base["bins"], base) == ""


def test_link_sets_the_initial_view(app_context):
    initial, problem = view_from_link(app_context, "?carrier=UA&hour=8~12&bins=temp")
    assert problem is None
    assert initial["categories"] == {"carrier": ["UA"]}
    assert initial["ranges"]["hour"] == [8.0, 12.0] and initial["bins"] == "temp"


def test_a_tampered_link_falls_back_with_a_message(app_context):
    for search in ("?carrier=ZZ", "?hour=a~b", "?start=yesterday", "?bins=dep_delay"):
        initial, problem = view_from_link(app_context, search)
        assert problem and "not applied" in problem
        assert initial["categories"] == {}
