"""KPI cards: one card builder (the Overview's and the Monitor's), and the Overview's cards."""

from __future__ import annotations

from typing import NamedTuple

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
        body.append(html.Div(note, className="small text-muted text-break kpi-note"))
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="shadow-sm h-100"), xs=6, md=4, xl=xl
    )


class Kpi(NamedTuple):
    """One headline figure in words: the cards and the reports show the same ones."""

    title: str
    value: str
    note: str = ""


def _outcome_kpi(kpis: dict, ctx: AppContext) -> Kpi:
    """The target's headline: the positive rate, the mean, or the most common class."""
    spec, note = ctx.spec, f"of {kpis['labelled']:,} with an outcome"
    if ctx.multiclass:
        shares = kpis.get("class_shares") or {}
        if not shares:
            return Kpi(f"Most common {ctx.outcome.lower()}", "—", note)
        top = max(shares, key=shares.get)
        return Kpi(
            f"Most common {ctx.outcome.lower()}",
            top,
            f"{percent(shares[top])} {note}; {len(shares)} classes",
        )
    if spec.is_classification:
        return Kpi(ctx.outcome, percent(kpis["target_mean"]), note)
    value = kpis["target_mean"]
    shown = "—" if value is None else plain(value)
    return Kpi(f"Mean {spec.label(spec.target).lower()}", shown, note)


def kpi_figures(kpis: dict, ctx: AppContext) -> list[Kpi]:
    """The Overview's headline figures for one view's aggregates."""
    spec = ctx.spec
    classification = spec.is_classification
    fmt = percent if classification else (lambda v: "—" if v is None else plain(v))
    figures = [Kpi(spec.row_label.capitalize(), f"{kpis['rows']:,}")]
    figures.append(_outcome_kpi(kpis, ctx))
    if kpis["measure_mean"] is not None and spec.measure != spec.target:
        unit = f" {spec.measure_unit}" if spec.measure_unit else ""
        figures.append(
            Kpi(
                f"Mean {spec.measure_label.lower()}",
                f"{kpis['measure_mean']:.1f}{unit}",
            )
        )
    if spec.missing_label:
        share = kpis["missing_target"] / kpis["rows"] if kpis["rows"] else None
        figures.append(
            Kpi(
                spec.missing_label,
                f"{kpis['missing_target']:,}",
                f"{percent(share)} of {spec.row_label}",
            )
        )
    if kpis["score_mean"] is not None:
        figures.append(
            Kpi(
                "Predicted vs actual",
                f"{fmt(kpis['score_mean'])} / {fmt(kpis['target_mean'])}",
                f"model {ctx.service.version}",  # whole: it names the version
            )
        )
    return figures


def kpi_cards(kpis: dict, ctx: AppContext) -> list[dbc.Col]:
    return [kpi_card(*figure) for figure in kpi_figures(kpis, ctx)]


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
