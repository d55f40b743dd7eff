"""KPI cards for the Overview: pure function from the kpis dict to cards."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.theme import percent
from context import AppContext


def _card(title: str, value: str, note: str = "") -> dbc.Col:
    body = [
        html.Div(title, className="text-muted small text-uppercase"),
        html.Div(value, className="fs-3 fw-semibold"),
    ]
    if note:
        body.append(html.Div(note, className="small text-muted"))
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="shadow-sm h-100"), xs=6, md=4, xl=True
    )


def kpi_cards(kpis: dict, ctx: AppContext) -> list[dbc.Col]:
    spec = ctx.spec
    classification = spec.is_classification
    fmt = percent if classification else (lambda v: "—" if v is None else f"{v:,.3g}")
    cards = [_card(spec.row_label.capitalize(), f"{kpis['rows']:,}")]
    cards.append(
        _card(
            spec.positive_label
            if classification
            else f"Mean {spec.label(spec.target).lower()}",
            fmt(kpis["target_mean"]),
            f"of {kpis['labelled']:,} with an outcome",
        )
    )
    if kpis["measure_mean"] is not None and spec.measure != spec.target:
        unit = f" {spec.measure_unit}" if spec.measure_unit else ""
        cards.append(
            _card(
                f"Mean {spec.measure_label.lower()}",
                f"{kpis['measure_mean']:.1f}{unit}",
            )
        )
    if spec.missing_label:
        share = kpis["missing_target"] / kpis["rows"] if kpis["rows"] else None
        cards.append(
            _card(
                spec.missing_label,
                f"{kpis['missing_target']:,}",
                f"{percent(share)} of {spec.row_label}",
            )
        )
    if kpis["score_mean"] is not None:
        cards.append(
            _card(
                "Predicted vs actual",
                f"{fmt(kpis['score_mean'])} / {fmt(kpis['target_mean'])}",
                f"model {ctx.service.version[:17]}",
            )
        )
    return cards
