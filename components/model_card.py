"""Model page: the champion's card, laid out for the data-science team."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components import model_figures as figures
from context import AppContext

GRAPH_CONFIG = {"displaylogo": False}
CLASSIFICATION_METRICS = [
    ("auc", "AUC", "higher"),
    ("log_loss", "Log loss", "lower"),
    ("brier", "Brier score", "lower"),
]
REGRESSION_METRICS = [
    ("mae", "MAE", "lower"),
    ("rmse", "RMSE", "lower"),
    ("r2", "R²", "higher"),
]


def metrics_table(card: dict) -> dbc.Table:
    """Model against baseline, on validation and holdout."""
    wanted = (
        CLASSIFICATION_METRICS
        if card["task"] == "classification"
        else REGRESSION_METRICS
    )
    model, baseline = card["metrics"]["model"], card["metrics"]["baseline"]
    head = html.Thead(
        html.Tr(
            [
                html.Th("Metric"),
                html.Th("Model (holdout)"),
                html.Th("Baseline (holdout)"),
                html.Th("Model (validation)"),
            ]
        )
    )
    rows = []
    for key, name, better in wanted:
        m, b = model["holdout"][key], baseline["holdout"][key]
        wins = m > b if better == "higher" else m < b
        rows.append(
            html.Tr(
                [
                    html.Td(f"{name} ({better} is better)"),
                    html.Td(
                        f"{m:.4f}",
                        className="fw-semibold text-success" if wins else "fw-semibold",
                    ),
                    html.Td(f"{b:.4f}"),
                    html.Td(f"{model['valid'][key]:.4f}"),
                ]
            )
        )
    return dbc.Table(
        [head, html.Tbody(rows)],
        bordered=False,
        hover=True,
        size="sm",
        className="mb-0",
    )


def data_summary(card: dict, ctx: AppContext) -> html.Div:
    data = card["dataset"]
    split_rows = [
        html.Tr(
            [
                html.Td(name.capitalize()),
                html.Td(f"{part['rows']:,}"),
                html.Td(
                    f"{part.get('from', '')} → {part.get('to', '')}"
                    if "from" in part
                    else "random"
                ),
                html.Td(
                    f"{part['target_mean']:.1%}"
                    if card["task"] == "classification"
                    else f"{part['target_mean']:.4g}"
                ),
            ]
        )
        for name, part in data["split"].items()
    ]
    facts = [
        ("Version", card["version"]),
        ("Artifact sha256", card["artifact"]["sha256"]),
        ("Estimator", card["model"]["estimator"]),
        ("Baseline", f"mean by {', '.join(card['baseline']['columns']) or 'all'}"),
        ("Data fingerprint", data["fingerprint"][:16] + "…"),
        ("Rows (incl. no target)", f"{data['rows']:,}"),
        ("Libraries", ", ".join(f"{k} {v}" for k, v in card["libraries"].items())),
    ]
    return html.Div(
        [
            dbc.Table(
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Th(k, className="text-nowrap"),
                                html.Td(
                                    html.Code(v) if "sha" in k or k == "Version" else v,
                                    className="text-break",
                                ),
                            ]
                        )
                        for k, v in facts
                    ]
                ),
                size="sm",
                className="mb-3",
            ),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th("Split"),
                                html.Th("Rows"),
                                html.Th("Dates"),
                                html.Th(ctx.outcome),
                            ]
                        )
                    ),
                    html.Tbody(split_rows),
                ],
                size="sm",
                className="mb-0",
            ),
        ]
    )


def _card(title: str, body) -> dbc.Card:
    return dbc.Card(
        [dbc.CardHeader(title), dbc.CardBody(body)], className="shadow-sm mb-3"
    )


def _graph(figure) -> dbc.Card:
    return dbc.Card(
        dcc.Graph(figure=figure, config=GRAPH_CONFIG),
        body=True,
        className="shadow-sm mb-3",
    )


def model_layout(ctx: AppContext, search: str | None = None) -> html.Div:
    card = ctx.service.card
    labels = {c: e["label"] for c, e in ctx.service.schema.items()}
    header = html.Div(
        [
            html.H4("Model card", className="mb-0"),
            html.Div(
                f"{card['dataset']['title']}: {card['dataset']['question']}",
                className="text-muted",
            ),
        ],
        className="mb-3",
    )
    top = dbc.Row(
        [
            dbc.Col(_card("Holdout metrics vs. baseline", metrics_table(card)), lg=6),
            dbc.Col(_card("Training data and artifact", data_summary(card, ctx)), lg=6),
        ],
        className="g-3",
    )
    if card["task"] == "classification":
        curves, metrics = card["curves"], card["metrics"]
        confusion = dbc.Card(
            [
                dbc.Label("Threshold", className="small fw-semibold mb-0"),
                dcc.Slider(
                    id=ids.THRESHOLD,
                    min=0.05,
                    max=0.95,
                    step=0.01,
                    value=0.3,
                    marks={v / 10: f"{v / 10:.1f}" for v in range(1, 10, 2)},
                    tooltip={"placement": "bottom"},
                ),
                dcc.Graph(id=ids.CONFUSION_CHART, config=GRAPH_CONFIG),
                html.Div(id=ids.CONFUSION_SUMMARY, className="small text-muted"),
            ],
            body=True,
            className="shadow-sm mb-3",
        )
        charts = dbc.Row(
            [
                dbc.Col(_graph(figures.calibration(curves["calibration"])), lg=6),
                dbc.Col(
                    _graph(
                        figures.roc(
                            curves["roc"],
                            metrics["model"]["holdout"]["auc"],
                            metrics["baseline"]["holdout"]["auc"],
                        )
                    ),
                    lg=6,
                ),
                dbc.Col(confusion, lg=6),
                dbc.Col(_graph(figures.importance(card["importance"], labels)), lg=6),
            ],
            className="g-3",
        )
    else:
        charts = dbc.Row(
            [
                dbc.Col(_graph(figures.residuals(card["curves"]["residuals"])), lg=6),
                dbc.Col(_graph(figures.importance(card["importance"], labels)), lg=6),
            ],
            className="g-3",
        )
    return html.Div([header, top, charts])
