"""The Monitor page: figure builders and sections from a hand-built report, the controls'
validation, and the log grid's queries on a real SQLite file."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import no_update

from callbacks import monitor as monitor_callbacks
from components import monitor_figures as mfig
from components import monitor_performance as pfig
from components import monitor_sections as sections
from components import monitor_view as view
from data.db import Database
from data.inputs import BadInput
from data.tables import outcomes, predictions
from monitor import log_view, stats
from monitor.report_types import Alert, MonitorReport, Window
from tests.replayed import replayed_home

DAYS = [dt.date(2013, 11, 4), dt.date(2013, 11, 11)]
WINDOW = Window(dt.date(2013, 11, 4), dt.date(2013, 11, 17), "week")


def validated(fig: dict) -> go.Figure:
    return go.Figure(fig)


def _traffic() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": DAYS * 2,
            "source": ["replay", "replay", "whatif", "whatif"],
            "n": [900, 800, 5, 7],
            "p50_ms": [4.0, 4.2, 9.0, 8.0],
            "p95_ms": [12.0, 14.0, 30.0, 25.0],
            "out_of_range_share": [0.01, 0.05, 0.0, 0.0],
            "fallback": [0, 0, 0, 1],
        }
    )


def _performance() -> pd.DataFrame:
    rows = []
    for metric, estimate, realized in (("auc", 0.71, 0.66), ("brier", 0.12, 0.15)):
        for day in DAYS:
            rows.append(
                {
                    "period": day,
                    "metric": metric,
                    "estimated": estimate,
                    "low": estimate - 0.02,
                    "high": estimate + 0.02,
                    "realized": realized,
                    "labeled": 700,
                    "n": 850,
                }
            )
    return pd.DataFrame(rows)


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["carrier", "origin", "carrier"],
            "value": ["EV", "LGA", "HA"],
            "n": [400, 900, 12],
            "labeled": [380, 850, 12],
            "metric": ["auc"] * 3,
            "realized": [0.61, 0.68, np.nan],
            "low": [0.56, 0.65, 0.2],
            "high": [0.66, 0.71, 0.9],
            "estimated": [0.70, 0.71, 0.69],
            "enough": [True, True, False],
        }
    )


def _drift() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feature": ["temp", "visib", "carrier"],
            "label": ["Temperature", "Visibility", "Airline"],
            "kind": ["number", "number", "category"],
            "test": ["KS", "KS", np.nan],
            "n": [1700, 1700, 40],
            "psi": [0.61, 0.14, np.nan],
            "statistic": [0.3, 0.1, np.nan],
            "p_value": [1e-40, 1e-5, np.nan],
            "p_adjusted": [1e-39, 2e-5, np.nan],
            "severity": ["major", "moderate", "too few"],
            "flagged": [True, True, False],
        }
    )


def make_report(kind: str = "binary", **changes) -> MonitorReport:
    """A report as monitor/report.py would return one, built by hand."""
    parts = dict(
        version="v1",
        kind=kind,
        outcome="Delayed 15+ min",
        window=WINDOW,
        traffic=_traffic(),
        totals={
            "n": 1712,
            "p50_ms": 4.1,
            "p95_ms": 13.0,
            "out_of_range_share": 0.03,
            "error_rate": 0.0006,
            "labeled": 1400,
        },
        predictions=pd.DataFrame(
            {
                "period": DAYS,
                "p10": [0.05, 0.06],
                "p50": [0.12, 0.14],
                "p90": [0.35, 0.40],
                "mean": [0.15, 0.17],
            }
        ),
        score_bins=pd.DataFrame(
            {
                "left": [0.0, 0.5],
                "right": [0.5, 1.0],
                "live_share": [0.8, 0.2],
                "holdout_share": [0.85, 0.15],
            }
        ),
        drift=_drift(),
        performance=_performance(),
        holdout={"auc": 0.72, "brier": 0.11},
        segments=_segments(),
        challenger=pd.DataFrame(
            {
                "period": DAYS,
                "challenger": ["v2", "v2"],
                "n": [850, 800],
                "agreement": [0.97, 0.95],
                "mean_diff": [0.01, 0.02],
                "mean_abs_diff": [0.02, 0.03],
            }
        ),
    )
    return MonitorReport(**{**parts, **changes})


# Figures


def test_volume_stacks_one_bar_trace_per_source():
    fig = validated(mfig.volume(_traffic(), "week"))
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["replay", "whatif"]
    assert list(fig.data[0].y) == [900, 800] and fig.data[0].x[0] == "2013-11-04"
    assert "week" in fig.layout.title.text


def test_latency_has_p50_and_p95_per_source_and_an_axis_title():
    fig = validated(mfig.latency(_traffic()))
    assert [t.name for t in fig.data] == [
        "replay p50",
        "replay p95",
        "whatif p50",
        "whatif p95",
    ]
    assert fig.data[1].line.dash == "dash"
    assert fig.layout.yaxis.title.text == "Milliseconds"


def test_out_of_range_is_a_share():
    fig = validated(mfig.out_of_range(_traffic()))
    assert fig.layout.yaxis.tickformat == ".0%"
    assert list(fig.data[0].y) == [0.01, 0.05]


def test_prediction_band_fills_p10_to_p90_under_median_and_mean():
    report = make_report()
    fig = validated(mfig.prediction_band(report.predictions, "Chance", True))
    assert [t.name for t in fig.data][1:] == ["p10–p90", "Median", "Mean"]
    assert fig.data[1].fill == "tonexty" and list(fig.data[0].y) == [0.05, 0.06]
    assert fig.layout.yaxis.title.text == "Chance"


def test_score_histogram_draws_live_bars_under_the_holdout_step():
    bins = make_report().score_bins
    fig = validated(mfig.score_histogram(bins, "Chance", True))
    live, holdout = fig.data
    assert (live.name, holdout.name) == ("Live", "Holdout (card)")
    assert list(live.x) == [0.25, 0.75] and list(live.customdata) == ["0–0.5", "0.5–1"]
    assert list(holdout.x) == [0.0, 0.5, 1.0] and holdout.line.shape == "hv"
    assert fig.layout.xaxis.tickformat == ".0%"
    no_holdout = bins.assign(holdout_share=np.nan)
    fig = validated(mfig.score_histogram(no_holdout, "Value", False))
    assert [t.name for t in fig.data] == ["Live"]


def test_feature_detail_draws_reference_against_live():
    frame = pd.DataFrame(
        {"bin": ["< 0", "0–10", "10+"], "reference_share": [0.2, 0.5, 0.3]}
    ).assign(live_share=[0.6, 0.3, 0.1])
    fig = validated(mfig.feature_detail(frame, "Temperature"))
    assert [t.name for t in fig.data] == ["Reference (training)", "Live"]
    assert list(fig.data[1].y) == [0.6, 0.3, 0.1]
    assert fig.layout.title.text.startswith("Temperature")


def test_empty_frames_give_a_message_not_a_blank_chart():
    fig = validated(mfig.volume(_traffic().iloc[0:0], "day"))
    assert not fig.data and "No predictions" in fig.layout.annotations[0].text


def test_performance_shows_estimate_band_realized_and_dashed_holdout():
    fig = validated(pfig.performance(_performance(), "auc", 0.72))
    names = [t.name for t in fig.data]
    assert names[1:] == [
        "Estimate, 95% band",
        "Estimated",
        "Realized",
        "Holdout (card)",
    ]
    holdout = fig.data[-1]
    assert holdout.line.dash == "dash" and list(holdout.y) == [0.72, 0.72]
    assert fig.layout.yaxis.title.text == "AUC"


def test_regression_performance_has_no_estimate():
    frame = _performance().assign(
        metric="mae", estimated=np.nan, low=np.nan, high=np.nan
    )
    fig = validated(pfig.performance(frame, "mae", 3.2))
    assert [t.name for t in fig.data] == ["Realized", "Holdout (card)"]
    assert fig.layout.title.text == "MAE: realized"


def test_segments_keep_worst_first_with_intervals_and_mark_too_few():
    fig = validated(pfig.segments(_segments(), "auc"))
    judged, too_few = fig.data
    assert list(judged.y) == ["carrier: EV", "origin: LGA"]
    assert judged.error_x.array[0] == pytest.approx(0.05)
    assert too_few.name == "Too few rows to judge" and list(too_few.y) == [
        "carrier: HA"
    ]
    assert too_few.x[0] == 0.69  # no outcome yet: the estimate stands in
    assert fig.layout.yaxis.autorange == "reversed"
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert fig.layout.legend.y * plot_px == pytest.approx(-pfig.LEGEND_GAP_PX)


def test_agreement_plots_each_challenger_on_two_axes():
    fig = validated(pfig.agreement(make_report().challenger, True))
    assert [t.name for t in fig.data] == ["v2: agreement", "v2: mean difference"]
    assert fig.data[1].yaxis == "y2"


# Sections


def _text(component) -> str:
    """Every string inside a Dash component tree, joined."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def _components(component, kind: str) -> list:
    """Every component of a type inside a Dash component tree, in order."""
    if isinstance(component, list | tuple):
        return [c for child in component for c in _components(child, kind)]
    if not hasattr(component, "to_plotly_json"):
        return []
    found = [component] if type(component).__name__ == kind else []
    return found + _components(getattr(component, "children", None), kind)


def test_alerts_banner_lists_breaches_or_says_none():
    alert = Alert("latency_p95", "p95 latency 612 ms is above 500 ms.", 612, 500)
    assert "612 ms" in _text(sections.alerts_banner(make_report(alerts=[alert])))
    assert "No thresholds breached" in _text(sections.alerts_banner(make_report()))


def test_kpis_name_every_headline_figure():
    text = _text(sections.kpi_row(make_report()))
    for words in ("1,712", "1,400", "13 ms", "3.0%", "0.1%", "2", "of 3 tested"):
        assert words in text


def test_drift_table_keeps_the_reports_order_with_badges():
    table = _text(sections.drift_table(make_report()))
    assert (
        table.index("Temperature") < table.index("Visibility") < table.index("Airline")
    )
    assert "< 0.0001" in table and "too few" in table
    colours = [
        badge.color
        for badge in _components(sections.drift_table(make_report()), "Badge")
    ]
    assert colours == ["danger", "warning", "secondary"]
    assert set(stats.SEVERITY_ORDER) == set(sections.SEVERITY_COLOURS)
    options, chosen = sections.feature_options(make_report())
    assert chosen == "temp" and options[2]["label"] == "Airline (too few)"


def test_regression_says_only_drift_and_realized_error_are_shown():
    note = "Regression: only drift and realized error are shown."
    report = make_report("regression", notes=[note], holdout={"mae": 3.0})
    assert note in _text(sections.performance(report))


def test_no_challenger_is_one_sentence():
    report = make_report(challenger=make_report().challenger.iloc[0:0])
    assert "No challenger was scored" in _text(sections.challenger(report))


def test_empty_state_names_the_replay_command():
    text = _text(
        sections.empty_state("v1", dt.date(2013, 11, 1), dt.date(2013, 11, 30))
    )
    assert "python -m model.replay" in text and "2013-11-01" in text


# The log grid's queries, on a real SQLite file


@pytest.fixture()
def log_engine(tmp_path):
    """A migrated SQLite log: 30 predictions over three days, 10 with an outcome."""
    database = Database(f"sqlite:///{tmp_path / 'log.db'}").migrate()
    start = dt.datetime(2013, 11, 1, 6, tzinfo=dt.UTC)
    rows = [
        {
            "request_id": f"r{i:02d}",
            "created_at": start,
            "event_time": start + dt.timedelta(hours=i * 2),
            "source": "replay" if i % 3 else "whatif",
            "model_version": "v1" if i < 20 else "v2",
            "model_sha256": "0" * 64,
            "inputs": '{"carrier": "UA"}',
            "output": i / 30,
            "output_label": "=HYPERLINK(1)" if i == 7 else "on time",
            "latency_ms": 3.0 + i,
        }
        for i in range(30)
    ]
    attached = [
        {
            "request_id": f"r{i:02d}",
            "actual": "late",
            "origin": "t",
            "attached_at": start,
        }
        for i in range(10)
    ]
    with database.engine.begin() as connection:
        connection.execute(predictions.insert(), rows)
        connection.execute(outcomes.insert(), attached)
    return database.engine


def _page(engine, start=0, end=100, filters=None, sort=None):
    request = {"startRow": start, "endRow": end, "filterModel": filters}
    return log_view.log_page(engine, {**request, "sortModel": sort or []})


def test_log_pages_newest_events_first_with_outcomes_joined(log_engine):
    page = _page(log_engine, 0, 10)
    assert page.total == 30 and len(page.rows) == 10
    assert page.rows[0]["request_id"] == "r29"
    assert page.rows[0]["actual"] is None
    last = _page(log_engine, 20, 30).rows[-1]
    assert last["request_id"] == "r00" and last["actual"] == "late"
    assert _page(log_engine, 10, 20).total is None  # the grid keeps the first count


def test_log_filters_and_sorts_like_the_grid_asks(log_engine):
    filters = {
        "version": {"filterType": "text", "type": "equals", "filter": "v1"},
        "output": {"filterType": "number", "type": "greaterThan", "filter": 0.5},
    }
    page = _page(
        log_engine, filters=filters, sort=[{"colId": "event_time", "sort": "asc"}]
    )
    assert [r["request_id"] for r in page.rows] == [f"r{i}" for i in range(16, 20)]
    day = {
        "event_time": {
            "filterType": "date",
            "type": "equals",
            "dateFrom": "2013-11-02 00:00:00",
        }
    }
    assert _page(log_engine, filters=day).total == 12  # 6:00 + 2 h steps on 2 Nov
    label = {
        "label": {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "startsWith", "filter": "=HYP"},
                {"filterType": "text", "type": "blank"},
            ],
        }
    }
    assert [r["request_id"] for r in _page(log_engine, filters=label).rows] == ["r07"]


def test_counts_filter_on_the_outcome_when_asked(log_engine):
    late = {"actual": {"filterType": "text", "type": "equals", "filter": "LATE"}}
    assert _page(log_engine, 0, 5, filters=late).total == 10
    blank = {"actual": {"filterType": "text", "type": "blank"}}
    assert _page(log_engine, 0, 5, filters=blank).total == 20
    assert _page(log_engine, 0, 5).total == 30


def test_like_wildcards_in_a_filter_are_text_not_patterns(log_engine):
    filters = {"label": {"filterType": "text", "type": "contains", "filter": "%"}}
    assert _page(log_engine, filters=filters).rows == []


@pytest.mark.parametrize(
    "filters, sort",
    [
        ({"inputs": {"filterType": "text", "type": "contains", "filter": "x"}}, None),
        ({"source": {"filterType": "text", "type": "regex", "filter": "."}}, None),
        ({"output": {"filterType": "number", "type": "equals", "filter": "nan"}}, None),
        ({"output": "1; DROP TABLE predictions"}, None),
        ({"event_time": {"type": "equals", "dateFrom": "yesterday"}}, None),
        (None, [{"colId": "output); DROP TABLE predictions; --", "sort": "asc"}]),
        (None, [{"colId": "output", "sort": "asc"}]),  # not indexed: no sort
        (None, [{"colId": "event_time", "sort": "sideways"}]),
        ({"output": {"filterType": "number", "type": ["equals"], "filter": 1}}, None),
        ({"event_time": {"type": {"a": 1}, "dateFrom": "2013-11-01"}}, None),
        ({"label": {"operator": ["OR"], "conditions": [{"type": "blank"}]}}, None),
        ({"label": {"type": "contains", "filter": ["x"]}}, None),
        (None, [{"colId": ["event_time"], "sort": "asc"}]),
        (None, "event_time"),
    ],
)
def test_anything_not_whitelisted_is_refused_in_words(log_engine, filters, sort):
    with pytest.raises(BadInput):
        _page(log_engine, filters=filters, sort=sort)


@pytest.mark.parametrize("start, end", [(-1, 10), (10, 5), ("a", 10), (0, None)])
def test_bad_row_ranges_are_refused(log_engine, start, end):
    with pytest.raises(BadInput):
        _page(log_engine, start, end)


def test_pages_are_capped(log_engine, monkeypatch):
    monkeypatch.setattr(log_view, "PAGE_CAP", 7)
    page = log_view.log_page(log_engine, {"startRow": 0, "endRow": 10**9})
    assert len(page.rows) == 7 and page.total == 30
    with pytest.raises(BadInput):
        log_view.log_page(log_engine, {"startRow": 10**12, "endRow": 10**12 + 5})


def test_csv_export_is_filtered_capped_and_formula_safe(log_engine):
    filters = {"version": {"filterType": "text", "type": "equals", "filter": "v1"}}
    text, count = log_view.export_csv(log_engine, filters, None, cap=15)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert count == len(rows) == 15
    assert {r["version"] for r in rows} == {"v1"}
    assert "inputs" in rows[0] and rows[0]["request_id"] == "r19"
    hyperlink = next(r for r in rows if r["request_id"] == "r07")
    assert hyperlink["label"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "value, safe",
    [
        ("UA", "UA"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
    ],
)
def test_csv_cells_cannot_become_formulas(value, safe):
    assert log_view.csv_safe(value) == safe
    text = log_view.write_csv([{"a": value, "b": -1.5}], ["a", "b"])
    assert next(csv.reader(io.StringIO(text.split("\r\n", 1)[1], newline=""))) == [
        safe,
        "-1.5",
    ]


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
    assert words in _text(outputs["message"])
    assert outputs["kpis"] is no_update and outputs["query"] is no_update


def test_refresh_fills_every_card_from_one_report(replayed):
    outputs = monitor_callbacks.refresh_outputs(replayed, _controls(replayed), None)
    assert set(outputs) == set(monitor_callbacks.REFRESH)
    assert outputs["message"] is None and outputs["shown"] == {}
    assert "Predictions" in _text(outputs["kpis"]) and outputs["feature"]
    assert outputs["query"]["start"] == "2013-11-01"
    assert (
        type(outputs["challenger"][0]).__name__ == "Graph"
    )  # the old version shadowed
    filters = outputs["grid_filters"]
    assert filters["version"]["filter"] == replayed.service.version
    assert log_view.log_page(
        replayed.database.engine, {"startRow": 0, "endRow": 5, "filterModel": filters}
    ).total == int(_text(outputs["kpis"][0]).split()[1].replace(",", ""))


def test_a_window_with_no_predictions_says_how_to_fill_it(replayed):
    controls = _controls(replayed, start="2013-03-01", end="2013-03-31")
    outputs = monitor_callbacks.refresh_outputs(replayed, controls, None)
    assert outputs["shown"] == {"display": "none"}
    assert "python -m model.replay" in _text(outputs["empty"])


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
    charts = _components(outputs["performance"], "Graph")
    shown = " | ".join(validated(g.figure).layout.title.text for g in charts)
    assert all(title in shown for title in titles), shown
    if name == "diabetes":
        assert "only drift and the realized error" in _text(outputs["performance"])
    for graph in _components(list(outputs.values()), "Graph"):
        validated(graph.figure)
