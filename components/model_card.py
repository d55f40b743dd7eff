"""Model page: the champion's card, laid out for the data-science team."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import class_figures, ids
from components import model_figures as figures
from components.model_compare import compare_card
from components.model_retrain import retrain_card
from components.model_versions import versions_card
from components.page import page_header
from components.theme import GRAPH_CONFIG, percent
from context import AppContext
from data.formats import plain
from model.card import ModelCard

METRICS = {
    "binary": [
        ("auc", "AUC", "higher"),
        ("log_loss", "Log loss", "lower"),
        ("brier", "Brier score", "lower"),
        ("ece", "Calibration error (ECE, deciles)", "lower"),
    ],
    "multiclass": [
        ("auc_macro", "AUC, one-vs-rest (macro)", "higher"),
        ("auc_weighted", "AUC, one-vs-rest (weighted)", "higher"),
        ("log_loss", "Log loss", "lower"),
        ("accuracy", "Accuracy", "higher"),
    ],
    "regression": [
        ("mae", "MAE", "lower"),
        ("rmse", "RMSE", "lower"),
        ("r2", "R²", "higher"),
    ],
}


def _metric_row(key, name, better, model, baseline) -> html.Tr:
    m, b = model.holdout.get(key), baseline.holdout.get(key) if baseline else None
    wins = b is not None and m is not None and (m > b if better == "higher" else m < b)
    cell = "fw-semibold text-success" if wins else "fw-semibold"
    shown = lambda v: "—" if v is None else f"{v:.4f}"  # noqa: E731
    return html.Tr(
        [
            html.Td(
                [name, html.Div(f"{better} is better", className="small text-muted")]
            ),
            html.Td(shown(m), className=cell),
            html.Td(shown(b)),
            html.Td(shown(model.valid.get(key))),
        ]
    )


def metrics_table(card: ModelCard) -> dbc.Table:
    """Model against baseline, on validation and holdout."""
    model, baseline = card.metrics["model"], card.metrics.get("baseline")
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
    rows = [_metric_row(*m, model, baseline) for m in METRICS[card.kind]]
    return dbc.Table(
        [head, html.Tbody(rows)],
        bordered=False,
        hover=True,
        size="sm",
        className="mb-0",
        responsive=True,
    )


def per_class_table(card: ModelCard) -> dbc.Table:
    """Precision and recall of each class (the most likely class is the prediction)."""
    head = html.Thead(
        html.Tr(
            [html.Th("Class"), html.Th("Precision"), html.Th("Recall"), html.Th("Rows")]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(c.label),
                html.Td(percent(c.precision)),
                html.Td(percent(c.recall)),
                html.Td(f"{c.support:,}"),
            ]
        )
        for c in card.per_class
    ]
    return dbc.Table(
        [head, html.Tbody(rows)], size="sm", className="mb-0", responsive=True
    )


def _split_value(card: ModelCard, part) -> str:
    if card.kind == "multiclass":
        top = max(part.class_shares, key=part.class_shares.get)
        return f"{top} {percent(part.class_shares[top])}"
    if card.kind == "binary":
        return percent(part.target_mean)
    return plain(part.target_mean)


def _facts(card: ModelCard) -> list[tuple[str, str]]:
    positive = (
        [("Positive class", f"{card.positive} = {card.outcome} ({card.positive_how})")]
        if card.positive
        else []
    )
    if card.kind == "multiclass":
        positive = [("Classes", ", ".join(card.classes))]
    baseline = card.baseline
    return [
        ("Version", card.version),
        ("Artifact sha256", card.sha256),
        ("Estimator", f"{card.model.estimator} ({card.model.origin})"),
        *positive,
        (
            "Baseline",
            f"{baseline.kind}: {', '.join(baseline.columns) or 'all'}"
            if baseline
            else "none",
        ),
        ("Data fingerprint", card.dataset.fingerprint[:16] + "…"),
        ("Rows (incl. no target)", f"{card.dataset.rows:,}"),
        ("Libraries", ", ".join(f"{k} {v}" for k, v in card.libraries.items())),
    ]


def data_summary(card: ModelCard, ctx: AppContext) -> html.Div:
    split_rows = [
        html.Tr(
            [
                html.Td(name.capitalize()),
                html.Td(f"{part.rows:,}"),
                html.Td(f"{part.start} → {part.end}" if part.start else "random"),
                html.Td(_split_value(card, part)),
            ]
        )
        for name, part in card.dataset.split.items()
    ]
    facts = html.Tbody(
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
            for k, v in _facts(card)
        ]
    )
    outcome = "Most common" if card.kind == "multiclass" else ctx.outcome
    head = html.Thead(
        html.Tr([html.Th("Split"), html.Th("Rows"), html.Th("Dates"), html.Th(outcome)])
    )
    return html.Div(
        [
            dbc.Table(facts, size="sm", className="mb-3"),
            dbc.Table(
                [head, html.Tbody(split_rows)],
                size="sm",
                className="mb-0",
                responsive=True,
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


def _threshold_card() -> dbc.Card:
    return dbc.Card(
        [
            html.Div(
                [
                    dbc.Label(
                        "Threshold",
                        html_for=ids.THRESHOLD_INPUT,
                        className="small fw-semibold mb-0 me-2",
                    ),
                    # Typed values commit on Enter (or leaving the box), as a form does.
                    dcc.Input(
                        id=ids.THRESHOLD_INPUT,
                        type="number",
                        min=0.05,
                        max=0.95,
                        step=0.01,
                        value=0.3,
                        debounce=True,
                        className="form-control form-control-sm",
                        style={"maxWidth": "6.5rem"},
                    ),
                ],
                className="d-flex align-items-center mb-1",
            ),
            dcc.Slider(
                id=ids.THRESHOLD,
                min=0.05,
                max=0.95,
                step=0.01,
                value=0.3,
                marks={v / 10: f"{v / 10:.1f}" for v in range(1, 10, 2)},
                tooltip={"placement": "bottom"},
                allow_direct_input=False,  # the box above takes typed values
            ),
            dcc.Graph(id=ids.CONFUSION_CHART, config=GRAPH_CONFIG),
            html.Div(id=ids.CONFUSION_SUMMARY, className="small text-muted"),
        ],
        body=True,
        className="shadow-sm mb-3",
    )


def _charts(card: ModelCard, labels: dict) -> list:
    curves, importance = card.curves, figures.importance(card.importance, labels)
    if card.kind == "binary":
        holdout = card.metrics["model"].holdout
        baseline = card.metrics.get("baseline")
        return [
            figures.calibration(curves.calibration),
            figures.roc(
                curves.roc,
                holdout["auc"],
                baseline.holdout.get("auc") if baseline else None,
            ),
            _threshold_card(),
            importance,
        ]
    if card.kind == "multiclass":
        return [
            class_figures.confusion_classes(curves.confusion.counts, card.classes),
            _card("Per class on the holdout", per_class_table(card)),
            importance,
        ]
    return [figures.residuals(curves.residuals), importance]


def model_layout(ctx: AppContext, search: str | None = None, identity=None) -> html.Div:
    card = ctx.service.card
    labels = {c: e.label for c, e in ctx.service.schema.items()}
    header = page_header("Model card", f"{card.dataset.title}: {card.dataset.question}")
    top = dbc.Row(
        [
            dbc.Col(_card("Holdout metrics vs. baseline", metrics_table(card)), lg=6),
            dbc.Col(_card("Training data and artifact", data_summary(card, ctx)), lg=6),
        ],
        className="g-3",
    )
    cells = [
        dbc.Col(item if isinstance(item, dbc.Card) else _graph(item), lg=6)
        for item in _charts(card, labels)
    ]
    admin = identity is not None and identity.can("admin")
    return html.Div(
        [
            header,
            versions_card(ctx, admin),
            retrain_card(admin),
            compare_card(ctx),
            top,
            dbc.Row(cells, className="g-3"),
        ]
    )
