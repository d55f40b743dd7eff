"""Model page: pick two versions and see them side by side (metrics with B − A, the
overlaid curves, and what changed between them)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.compare_figures import compare_figures
from components.theme import GRAPH_CONFIG, percent
from context import AppContext
from model.compare_versions import (
    Change,
    CompareError,
    Comparison,
    MetricChange,
    compare_picks,
    default_pair,
)
from model.registry import Registry

METRIC_NAMES = {
    "auc": "AUC",
    "auc_macro": "AUC, one-vs-rest (macro)",
    "auc_weighted": "AUC, one-vs-rest (weighted)",
    "accuracy": "Accuracy",
    "log_loss": "Log loss",
    "brier": "Brier score",
    "ece": "Calibration error (ECE)",
    "mae": "MAE",
    "rmse": "RMSE",
    "r2": "R²",
    "positive_rate": "Positive rate",
    "rows": "Holdout rows",
}
VERDICT_STYLE = {"better": "text-success", "worse": "text-danger"}
VERDICT_WORDS = {"better": "B is better", "worse": "B is worse", "same": "no change"}


def _value(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric == "rows":
        return f"{value:,.0f}"
    return percent(value) if metric == "positive_rate" else f"{value:.4f}"


def _difference(change: MetricChange) -> str:
    """B − A with an arrow for its sign, in the metric's own units."""
    diff = change.difference
    if diff is None:
        return "—"
    arrow = "▲ " if diff > 0 else "▼ " if diff < 0 else ""
    if change.metric == "rows":
        return f"{arrow}{diff:+,.0f}"
    if change.metric == "positive_rate":
        return f"{arrow}{diff * 100:+.1f} pts"
    return f"{arrow}{diff:+.4f}"


def _direction(change: MetricChange) -> str:
    if change.higher_is_better is None:
        return "a fact about the holdout"
    return "higher is better" if change.higher_is_better else "lower is better"


def _metric_row(change: MetricChange) -> html.Tr:
    verdict = change.verdict
    name = METRIC_NAMES.get(change.metric, change.metric)
    return html.Tr(
        [
            html.Td(
                [
                    html.Span(name, className="fw-semibold" if change.headline else ""),
                    html.Div(_direction(change), className="small text-muted"),
                ]
            ),
            html.Td(_value(change.metric, change.a)),
            html.Td(_value(change.metric, change.b)),
            html.Td(
                [
                    _difference(change),
                    html.Div(VERDICT_WORDS.get(verdict), className="small"),
                ],
                className=VERDICT_STYLE.get(verdict, ""),
            ),
        ],
        className="table-active" if change.headline else "",
    )


def metrics_table(comparison: Comparison) -> dbc.Table:
    """Each holdout metric of A and B, and B − A marked better or worse."""
    head = html.Thead(
        html.Tr(
            [
                html.Th("Metric (holdout)"),
                *(
                    html.Th([side, html.Div(html.Code(card.version))])
                    for side, card in (("A", comparison.a), ("B", comparison.b))
                ),
                html.Th("B − A"),
            ]
        )
    )
    rows = [_metric_row(change) for change in comparison.metrics]
    return dbc.Table(
        [head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0"
    )


def _change_item(change: Change) -> html.Li:
    return html.Li(
        [
            html.Span(f"{change.area} · ", className="text-muted"),
            html.Span(change.item, className="fw-semibold"),
            f": {change.a} → {change.b}",
        ]
    )


def changes_list(comparison: Comparison) -> html.Div:
    """What the two cards record differently, A's value → B's."""
    if not comparison.changes:
        return html.P(
            "Nothing recorded differs: same features, estimator, parameters, "
            "data and libraries.",
            className="small mb-0",
        )
    return html.Ul(
        [_change_item(change) for change in comparison.changes],
        className="small mb-0 text-break",
    )


def _graph(figure) -> dbc.Col:
    return dbc.Col(dcc.Graph(figure=figure, config=GRAPH_CONFIG), lg=6)


def comparison_view(comparison: Comparison) -> html.Div:
    """Cautions, the metrics table, the overlaid charts and what changed."""
    names = {f"A {comparison.a.version}": comparison.a}
    names[f"B {comparison.b.version}"] = comparison.b
    notes = [
        dbc.Alert(note, color="warning", className="small py-2 mb-2")
        for note in comparison.notes
    ]
    return html.Div(
        [
            *notes,
            metrics_table(comparison),
            dbc.Row(
                [_graph(fig) for fig in compare_figures(names)], className="g-3 mt-1"
            ),
            html.H6("What changed from A to B", className="mt-3 mb-1"),
            changes_list(comparison),
        ]
    )


def compare_view(registry: Registry, pick_a, pick_b) -> html.Div | dbc.Alert:
    """The comparison of two picks, or a message in words when it cannot be made."""
    try:
        comparison = compare_picks(registry, pick_a, pick_b)
    except CompareError as exc:
        return dbc.Alert(str(exc), color="secondary", className="small mb-0")
    return comparison_view(comparison)


def _options(registry: Registry) -> list[dict]:
    """Every version, newest first, with the alias it holds."""
    held = {version: alias for alias, version in registry.aliases().items()}
    return [
        {"label": f"{v} · {held[v]}" if v in held else v, "value": v}
        for v in sorted(registry.versions(), reverse=True)
    ]


def _pick(side: str, component_id: str, options: list, value) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(side, html_for=component_id, className="small mb-0"),
            dcc.Dropdown(
                id=component_id,
                options=options,
                value=value,
                clearable=False,
                placeholder="Pick a version",
            ),
        ],
        md=6,
    )


def compare_card(ctx: AppContext) -> dbc.Card:
    """Two version pickers (the champion and the challenger or newest other by default)."""
    registry = ctx.models.registry
    options = _options(registry)
    a, b = default_pair(registry.versions(), registry.aliases())
    return dbc.Card(
        [
            dbc.CardHeader("Compare versions"),
            dbc.CardBody(
                [
                    dbc.Row(
                        [
                            _pick("A (reference)", ids.COMPARE_A, options, a),
                            _pick("B (compared with A)", ids.COMPARE_B, options, b),
                        ],
                        className="g-2 mb-3",
                    ),
                    dcc.Loading(html.Div(id=ids.COMPARE_VIEW), delay_show=300),
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )
