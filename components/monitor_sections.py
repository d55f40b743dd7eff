"""What fills each Monitor card, built from one MonitorReport: alerts, KPIs, charts, tables.

Pure functions of the report (no Dash callbacks, no database), so tests build a report by
hand and check what each section says.
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components import monitor_figures as figures
from components import monitor_performance as quality
from components.kpis import kpi_card
from components.theme import GRAPH_CONFIG, Figure, percent
from data.formats import plain
from monitor.report_types import MonitorReport

SEVERITY_COLOURS = {
    "major": "danger",
    "moderate": "warning",
    "minor": "info",
    "stable": "success",
    "too few": "secondary",
}
REPLAY = "python -m model.replay"


def graph(figure: Figure) -> dcc.Graph:
    return dcc.Graph(figure=figure, config=GRAPH_CONFIG)


def cells(figures_: list, lg: int = 6) -> dbc.Row:
    """Charts side by side on a wide screen, one under another on a phone."""
    return dbc.Row([dbc.Col(graph(f), xs=12, lg=lg) for f in figures_], className="g-2")


def alerts_banner(report: MonitorReport):
    """Every breached threshold in words; a quiet line when none is."""
    if not report.alerts:
        return html.Div(
            "✓ No thresholds breached in this window.",
            className="text-success small mb-3",
        )
    return dbc.Alert(
        [
            html.Strong(f"{len(report.alerts)} alert(s) in this window"),
            html.Ul([html.Li(a.message) for a in report.alerts], className="mb-0"),
        ],
        color="danger",
        className="mb-3",
    )


def _kpi(title: str, value: str, note: str = "") -> dbc.Col:
    return kpi_card(title, value, note, value_size="fs-4", xl=2)


def _share(value) -> str:
    return percent(None if value is None or math.isnan(value) else float(value))


def _ms(value) -> str:
    return "—" if value is None or math.isnan(value) else f"{plain(value, 3)} ms"


def kpi_row(report: MonitorReport) -> list[dbc.Col]:
    """Predictions, labeled, p95 latency, out-of-range share, error rate, drifted features."""
    totals, drift = report.totals, report.drift
    n, labeled = int(totals.get("n", 0)), int(totals.get("labeled", 0))
    drifted = int(drift["flagged"].sum()) if not drift.empty else 0
    return [
        _kpi("Predictions", f"{n:,}", f"{report.window.start} → {report.window.end}"),
        _kpi(
            "Labeled", f"{labeled:,}", f"{_share(labeled / n if n else None)} of them"
        ),
        _kpi(
            "p95 latency", _ms(totals.get("p95_ms")), f"p50 {_ms(totals.get('p50_ms'))}"
        ),
        _kpi("Out of range", _share(totals.get("out_of_range_share")), "of requests"),
        _kpi("Error rate", _share(totals.get("error_rate")), "answered by a fallback"),
        _kpi("Drifted features", f"{drifted}", f"of {len(drift)} tested"),
    ]


def prediction_axis(report: MonitorReport) -> tuple[str, bool]:
    """What the predicted value is called on an axis, and whether it is a probability."""
    if report.kind == "binary":
        return "Predicted chance", True
    if report.kind == "multiclass":
        return "Top-class probability", True
    return f"Predicted {report.outcome.lower()}", False


def traffic(report: MonitorReport) -> dbc.Row:
    frame = report.traffic
    return cells(
        [
            figures.volume(frame, report.window.granularity),
            figures.latency(frame),
            figures.out_of_range(frame),
        ],
        lg=4,
    )


def predictions(report: MonitorReport) -> dbc.Row:
    axis, is_probability = prediction_axis(report)
    return cells(
        [
            figures.prediction_band(report.predictions, axis, is_probability),
            figures.score_histogram(report.score_bins, axis, is_probability),
        ]
    )


def _number(value, digits: int = 3) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}f}"


def _p_value(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


def _drift_row(row) -> html.Tr:
    severity = str(row["severity"])
    return html.Tr(
        [
            html.Td(row["label"]),
            html.Td(row["test"] if isinstance(row["test"], str) else "—"),
            html.Td(f"{int(row['n']):,}", className="text-end"),
            html.Td(_number(row["psi"]), className="text-end"),
            html.Td(_p_value(row["p_adjusted"]), className="text-end"),
            html.Td(
                dbc.Badge(severity, color=SEVERITY_COLOURS.get(severity, "secondary"))
            ),
        ]
    )


def drift_table(report: MonitorReport):
    """Every feature, most severe first: the test, n, PSI, adjusted p and the verdict."""
    if report.drift.empty:
        return html.P("No feature was tested in this window.", className="text-muted")
    head = html.Thead(
        html.Tr(
            [
                html.Th("Feature"),
                html.Th("Test"),
                html.Th("n", className="text-end"),
                html.Th("PSI", className="text-end"),
                html.Th("p (adjusted)", className="text-end"),
                html.Th("Severity"),
            ]
        )
    )
    body = html.Tbody([_drift_row(row) for _, row in report.drift.iterrows()])
    return dbc.Table(
        [head, body], size="sm", hover=True, responsive=True, className="mb-0 small"
    )


def feature_options(report: MonitorReport) -> tuple[list[dict], str | None]:
    """The drill-down's choices in the table's order, and the most severe feature."""
    drift = report.drift
    if drift.empty:
        return [], None
    options = [
        {"label": f"{label} ({severity})", "value": feature}
        for feature, label, severity in zip(
            drift["feature"], drift["label"], drift["severity"], strict=True
        )
    ]
    return options, options[0]["value"]


def _notes(report: MonitorReport) -> list:
    return [
        dbc.Alert(note, color="info", className="py-2 small mb-2")
        for note in report.notes
    ]


def performance(report: MonitorReport) -> list:
    """One chart per metric (estimated, realized, holdout), after any plain-words notes."""
    frame = report.performance
    keys = list(dict.fromkeys(frame["metric"])) if not frame.empty else []
    charts = [quality.performance(frame, k, report.holdout.get(k)) for k in keys]
    if not charts:
        return [
            *_notes(report),
            html.P("No periods in this window.", className="text-muted"),
        ]
    return [*_notes(report), cells(charts)]


def segments(report: MonitorReport) -> list:
    frame = report.segments
    keys = list(dict.fromkeys(frame["metric"])) if not frame.empty else []
    if not keys:
        return [
            html.P("No segment has predictions in this window.", className="text-muted")
        ]
    return [cells([quality.segments(frame, k) for k in keys])]


def challenger(report: MonitorReport) -> list:
    if report.challenger.empty:
        return [
            html.P(
                "No challenger was scored in this window, so there is nothing to compare.",
                className="text-muted mb-0",
            )
        ]
    _, is_probability = prediction_axis(report)
    return [graph(quality.agreement(report.challenger, is_probability))]


def empty_state(version: str, start, end) -> dbc.Alert:
    """One sentence and the command that fills the log, instead of empty charts."""
    where = f"between {start} and {end}" if start else "yet"
    return dbc.Alert(
        [
            html.Strong(f"No predictions by model {version} were logged {where}. "),
            "Replay the held-out months through the service to see the page at work: ",
            html.Code(REPLAY),
            ".",
        ],
        color="secondary",
    )
