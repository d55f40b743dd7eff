"""The Monitor page over real logs: the controls checked server-side, one refresh filling
every card, the drill-down, and the grid's filters following the page."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from dash import no_update

from callbacks import monitor as monitor_callbacks
from components import monitor_view as view
from data.inputs import BadInput
from monitor import log_view
from tests.replayed import replayed_home
from tests.unit.dash_tree import components_of, text_of


def validated(fig: dict) -> go.Figure:
    return go.Figure(fig)


# The page over a real log: the held-out months scored and logged, outcomes attached


@pytest.fixture(scope="module")
def replayed(tmp_path_factory, two_versions, flights_spec):
    """The app context over a log of the held-out months, replayed with outcomes."""
    from app import build_context

    folder = tmp_path_factory.mktemp("monitor-home")
    settings = replayed_home(two_versions, flights_spec, folder)
    return build_context(settings, progress=lambda _: None)


def _controls(ctx, **changes) -> dict:
    start, end, granularity = view.default_window(ctx, ctx.service.version)
    controls = dict(
        start=start,
        end=end,
        granularity=granularity,
        version=ctx.service.version,
        source="all",
    )
    return {**controls, **changes}


def test_the_default_window_is_the_span_of_logged_event_times(replayed):
    start, end, granularity = view.default_window(replayed, replayed.service.version)
    assert (start, end, granularity) == ("2013-11-01", "2013-12-31", "day")
    assert view.known_sources(replayed) == ["replay"]


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"start": "2013-13-01"}, "not a date"),
        ({"start": 20131101}, "must be a date"),
        ({"start": "2013-12-01", "end": "2013-11-01"}, "comes before"),
        ({"start": "1800-01-01"}, "must fall between"),
        ({"start": "1990-01-01", "end": "2013-12-31"}, "at most"),
        ({"granularity": "month"}, "day or week"),
        ({"version": "v0'; DROP TABLE predictions"}, "no model version"),
        ({"version": ["v1"]}, "no model version"),
        ({"source": "batch"}, "source 'batch'"),
        ({"source": {"$ne": 1}}, "source"),
    ],
)
def test_bad_controls_get_a_message_in_words(replayed, changes, words):
    with pytest.raises(BadInput, match=words):
        view.parse_query(replayed, **_controls(replayed, **changes))
    outputs = monitor_callbacks.refresh_outputs(
        replayed, _controls(replayed, **changes), None
    )
    assert words in text_of(outputs["message"])
    assert outputs["kpis"] is no_update and outputs["query"] is no_update


def test_refresh_fills_every_card_from_one_report(replayed):
    outputs = monitor_callbacks.refresh_outputs(replayed, _controls(replayed), None)
    assert set(outputs) == set(monitor_callbacks.REFRESH)
    assert outputs["message"] is None and outputs["shown"] == {}
    assert "Predictions" in text_of(outputs["kpis"]) and outputs["feature"]
    assert outputs["query"]["start"] == "2013-11-01"
    assert (
        type(outputs["challenger"][0]).__name__ == "Graph"
    )  # the old version shadowed
    filters = outputs["grid_filters"]
    assert filters["version"]["filter"] == replayed.service.version
    assert log_view.log_page(
        replayed.database.engine, {"startRow": 0, "endRow": 5, "filterModel": filters}
    ).total == int(text_of(outputs["kpis"][0]).split()[1].replace(",", ""))


def test_a_window_with_no_predictions_says_how_to_fill_it(replayed):
    controls = _controls(replayed, start="2013-03-01", end="2013-03-31")
    outputs = monitor_callbacks.refresh_outputs(replayed, controls, None)
    assert outputs["shown"] == {"display": "none"}
    assert "python -m model.replay" in text_of(outputs["empty"])


def test_grid_filters_keep_the_users_valid_column_filters(replayed):
    query = view.parse_query(replayed, **_controls(replayed, source="replay"))
    mine = {
        "output": {"filterType": "number", "type": "greaterThan", "filter": 0.3},
        "label": {"filterType": "text", "type": "regex", "filter": "."},
        "version": {"filterType": "text", "type": "equals", "filter": "old"},
    }
    filters = view.grid_filters(query, mine)
    assert filters["output"] == mine["output"] and "label" not in filters
    assert filters["version"]["filter"] == query.version
    assert filters["source"]["filter"] == "replay"


def test_the_drill_down_draws_one_known_feature(replayed):
    stored = view.parse_query(replayed, **_controls(replayed)).to_store()
    fig = validated(monitor_callbacks.drill_down(replayed, "temp", stored))
    assert [t.name for t in fig.data] == ["Reference (training)", "Live"]
    assert sum(fig.data[1].y) == pytest.approx(1.0)
    with pytest.raises(BadInput):
        monitor_callbacks.drill_down(replayed, "__class__", stored)
    with pytest.raises(BadInput):
        monitor_callbacks.drill_down(replayed, "temp", {**stored, "end": "never"})


@pytest.mark.parametrize(
    "name, actual, titles",
    [
        ("diabetes", "150", ["MAE: realized", "RMSE: realized"]),
        ("iris", None, ["AUC (setosa): estimated and realized"]),
    ],
)
def test_regression_and_multiclass_reports_fill_the_page(
    example_context, name, actual, titles
):
    from model.scoring import score_many

    ctx = example_context(name)
    answer = score_many(ctx.service, [ctx.service.defaults()] * 30, source="batch")
    outcome = actual or ctx.service.card.classes[0]
    ctx.log.attach_outcomes(dict.fromkeys(answer.request_ids, outcome), "test")
    outputs = monitor_callbacks.refresh_outputs(ctx, _controls(ctx), None)
    assert outputs["message"] is None and outputs["shown"] == {}
    charts = components_of(outputs["performance"], "Graph")
    shown = " | ".join(validated(g.figure).layout.title.text for g in charts)
    assert all(title in shown for title in titles), shown
    if name == "diabetes":
        assert "only drift and the realized error" in text_of(outputs["performance"])
    for graph in components_of(list(outputs.values()), "Graph"):
        validated(graph.figure)


def test_a_version_with_nothing_logged_says_how_to_fill_it(replayed):
    """No logged day means no default window: the page says so instead of a date error."""
    controls = _controls(replayed, start=None, end=None)
    outputs = monitor_callbacks.refresh_outputs(replayed, controls, None)
    assert outputs["message"] is None and outputs["shown"] == {"display": "none"}
    assert "were logged yet" in text_of(outputs["empty"])
    junk = monitor_callbacks.refresh_outputs(
        replayed, {**controls, "version": "nope"}, None
    )
    assert "Not refreshed" in text_of(junk["message"])


def test_one_what_if_today_does_not_stretch_the_default_window(replayed):
    """A replay of 2013 and a what-if now: the window follows the busiest source, and the
    page accepts the window it offers."""
    service = replayed.service
    replayed.models.predict(service.defaults(), source="whatif", user="ana")
    start, end, granularity = view.default_window(replayed, service.version)
    assert (start, end, granularity) == ("2013-11-01", "2013-12-31", "day")
    query = view.parse_query(replayed, start, end, granularity, service.version, "all")
    assert query.window.end.isoformat() == "2013-12-31"
