"""Monitor figures and sections from a hand-built MonitorReport: traces, titles, words."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from components import monitor_figures as mfig
from components import monitor_performance as pfig
from components import monitor_sections as sections
from monitor import stats
from monitor.report_types import Alert, MonitorReport, Window
from tests.unit.dash_tree import components_of, text_of

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


def test_alerts_banner_lists_breaches_or_says_none():
    alert = Alert("latency_p95", "p95 latency 612 ms is above 500 ms.", 612, 500)
    assert "612 ms" in text_of(sections.alerts_banner(make_report(alerts=[alert])))
    assert "No thresholds breached" in text_of(sections.alerts_banner(make_report()))


def test_kpis_name_every_headline_figure():
    text = text_of(sections.kpi_row(make_report()))
    for words in ("1,712", "1,400", "13 ms", "3.0%", "0.1%", "2", "of 3 tested"):
        assert words in text


def test_drift_table_keeps_the_reports_order_with_badges():
    table = text_of(sections.drift_table(make_report()))
    assert (
        table.index("Temperature") < table.index("Visibility") < table.index("Airline")
    )
    assert "< 0.0001" in table and "too few" in table
    colours = [
        badge.color
        for badge in components_of(sections.drift_table(make_report()), "Badge")
    ]
    assert colours == ["danger", "warning", "secondary"]
    assert set(stats.SEVERITY_ORDER) == set(sections.SEVERITY_COLOURS)
    options, chosen = sections.feature_options(make_report())
    assert chosen == "temp" and options[2]["label"] == "Airline (too few)"


def test_regression_says_only_drift_and_realized_error_are_shown():
    note = "Regression: only drift and realized error are shown."
    report = make_report("regression", notes=[note], holdout={"mae": 3.0})
    assert note in text_of(sections.performance(report))


def test_no_challenger_is_one_sentence():
    report = make_report(challenger=make_report().challenger.iloc[0:0])
    assert "No challenger was scored" in text_of(sections.challenger(report))


def test_empty_state_names_the_replay_command():
    text = text_of(
        sections.empty_state("v1", dt.date(2013, 11, 1), dt.date(2013, 11, 30))
    )
    assert "python -m model.replay" in text and "2013-11-01" in text
