"""KPI cards: one card builder (the Overview's and the Monitor's), and the Overview's cards."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.theme import percent
from context import AppContext
from data.formats import plain


def kpi_card(
    title: str,
    value: str,
    note: str = "",
    value_size: str = "fs-3",
    xl: int | bool = True,
) -> dbc.Col:
    """One headline figure in a card: its name, the value in `value_size`, a note below.

    Cards are half a row on a phone and a third on a tablet; `xl` is the width on a wide
    screen (True shares the row equally).
    """
    body = [
        html.Div(title, className="text-muted small text-uppercase"),
        html.Div(value, className=f"{value_size} fw-semibold"),
    ]
    if note:
        body.append(html.Div(note, className="small text-muted text-break"))
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="shadow-sm h-100"), xs=6, md=4, xl=xl
    )


def _outcome_card(kpis: dict, ctx: AppContext) -> dbc.Col:
    """The target's headline: the positive rate, the mean, or the most common class."""
    spec, note = ctx.spec, f"of {kpis['labelled']:,} with an outcome"
    if ctx.multiclass:
        shares = kpis.get("class_shares") or {}
        if not shares:
            return kpi_card(f"Most common {ctx.outcome.lower()}", "—", note)
        top = max(shares, key=shares.get)
        return kpi_card(
            f"Most common {ctx.outcome.lower()}",
            top,
            f"{percent(shares[top])} {note}; {len(shares)} classes",
        )
    if spec.is_classification:
        return kpi_card(ctx.outcome, percent(kpis["target_mean"]), note)
    value = kpis["target_mean"]
    shown = "—" if value is None else plain(value)
    return kpi_card(f"Mean {spec.label(spec.target).lower()}", shown, note)


def kpi_cards(kpis: dict, ctx: AppContext) -> list[dbc.Col]:
    spec = ctx.spec
    classification = spec.is_classification
    fmt = percent if classification else (lambda v: "—" if v is None else plain(v))
    cards = [kpi_card(spec.row_label.capitalize(), f"{kpis['rows']:,}")]
    cards.append(_outcome_card(kpis, ctx))
    if kpis["measure_mean"] is not None and spec.measure != spec.target:
        unit = f" {spec.measure_unit}" if spec.measure_unit else ""
        cards.append(
            kpi_card(
                f"Mean {spec.measure_label.lower()}",
                f"{kpis['measure_mean']:.1f}{unit}",
            )
        )
    if spec.missing_label:
        share = kpis["missing_target"] / kpis["rows"] if kpis["rows"] else None
        cards.append(
            kpi_card(
                spec.missing_label,
                f"{kpis['missing_target']:,}",
                f"{percent(share)} of {spec.row_label}",
            )
        )
    if kpis["score_mean"] is not None:
        cards.append(
            kpi_card(
                "Predicted vs actual",
                f"{fmt(kpis['score_mean'])} / {fmt(kpis['target_mean'])}",
                f"model {ctx.service.version}",  # whole: it names the version
            )
        )
    return cards


def kpi_skeletons(count: int = 5) -> list[dbc.Col]:
    """Grey stand-ins the size of the KPI cards until the first answer replaces them
    (not `.card`s: the first real card is what the bench and the tests wait for)."""
    lines = [
        dbc.Placeholder(xs=6, size="sm", className="mb-2"),
        dbc.Placeholder(xs=8, size="lg", className="mb-2"),
        dbc.Placeholder(xs=10, size="xs"),
    ]
    return [
        dbc.Col(
            html.Div(
                html.Div(lines, className="placeholder-glow"),
                className="border rounded shadow-sm h-100 p-3 bg-body",
                **{"aria-hidden": "true"},
            ),
            xs=6,
            md=4,
            xl=True,
        )
        for _ in range(count)
    ]
