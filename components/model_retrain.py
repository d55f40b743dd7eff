"""Model page: retrain behind the gate as a background job, with progress, cancel and the
gate's verdict with the figures side by side (admins; the server checks again)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from model.gate import Figure, shown
from model.retrain import RetrainResult

# Progress through a retrain, by the first words of the messages it sends.
STAGES = (
    ("[train] fitting", 10, "Fitting the candidate on the training months …"),
    ("[train] fitted", 55, "Fitted; scoring validation and holdout …"),
    ("[train] permutation", 70, "Measuring feature importance …"),
    ("[gate] judging", 85, "Judging it against the champion on the same holdout …"),
    (
        "[train] scoring every row",
        92,
        "Promoted; scoring every row for the dashboards …",
    ),
)


def stage_of(message: str) -> tuple[int, str] | None:
    """(percent, words) for a retrain message that marks a stage, else None."""
    for prefix, percent, words in STAGES:
        if message.startswith(prefix):
            return percent, words
    return None


def job_progress(bar: str, words: str, running: str, className: str) -> html.Div:
    """A background job's progress bar and words, hidden until the job runs (the
    callback's `running` shows `running`); the retrain and the Batch page share it."""
    return html.Div(
        [
            dbc.Progress(
                id=bar,
                value=0,
                striped=True,
                animated=True,
                style={"height": "0.75rem"},
            ),
            html.Div(id=words, className="small mt-1"),
        ],
        id=running,
        className=className,
        style={"display": "none"},
    )


def retrain_card(admin: bool) -> dbc.Card:
    """Start, watch and cancel a retrain; only admins may start one."""
    return dbc.Card(
        [
            dbc.CardHeader("Retrain behind the gate"),
            dbc.CardBody(
                [
                    html.P(
                        "Trains a candidate on the current data and judges it against "
                        "the champion on the same holdout: it is promoted only if it "
                        "passes the spec's gate, otherwise it becomes the challenger.",
                        className="small text-muted mb-2",
                    ),
                    dbc.Checkbox(
                        id=ids.RETRAIN_FORCE,
                        label="Promote even if the gate says no (recorded as forced)",
                        value=False,
                        disabled=not admin,
                        className="small mb-2",
                    ),
                    dbc.Button(
                        "Retrain now",
                        id=ids.RETRAIN_START,
                        color="primary",
                        size="sm",
                        disabled=not admin,
                        className="me-2",
                    ),
                    dbc.Button(
                        "Cancel",
                        id=ids.RETRAIN_CANCEL,
                        color="secondary",
                        outline=True,
                        size="sm",
                        disabled=True,
                    ),
                    None
                    if admin
                    else html.Div("Only admins can retrain.", className="form-text"),
                    html.Div(id=ids.RETRAIN_STATUS, className="small mt-2"),
                    job_progress(
                        ids.RETRAIN_PROGRESS,
                        ids.RETRAIN_STAGE,
                        ids.RETRAIN_RUNNING,
                        className="mt-2",
                    ),
                    html.Div(id=ids.RETRAIN_RESULT, className="mt-2"),
                    dcc.Store(id=ids.RETRAIN_TICKET),
                ]
            ),
        ],
        className="shadow-sm mb-3",
    )


def _figure_row(figure: Figure) -> html.Tr:
    gain = figure.gain
    color = (
        ""
        if gain is None or abs(gain) < 1e-9
        else "text-success"
        if gain > 0
        else "text-danger"
    )
    return html.Tr(
        [
            html.Td(figure.metric),
            html.Td(shown(figure.champion)),
            html.Td(shown(figure.candidate)),
            html.Td(shown(gain, sign=True), className=color),
        ]
    )


def verdict_view(result: RetrainResult) -> html.Div:
    """The gate's verdict in words, and its figures side by side."""
    verdict = result.verdict
    color = "success" if verdict.promote and not verdict.forced else "warning"
    words = f"{result.candidate} {result.outcome}: {verdict.summary()}"
    parts = [dbc.Alert(words, color=color, className="small mb-2")]
    if verdict.figures:
        head = html.Thead(
            html.Tr(
                [
                    html.Th("Metric (holdout)"),
                    html.Th(f"Champion {result.champion}", className="text-break"),
                    html.Th(f"Candidate {result.candidate}", className="text-break"),
                    html.Th("Better by"),
                ]
            )
        )
        body = html.Tbody([_figure_row(f) for f in verdict.figures])
        parts.append(dbc.Table([head, body], size="sm", className="mb-0 small"))
    parts.append(
        html.Div(f"Retrained in {result.seconds:.1f} s.", className="form-text")
    )
    return html.Div(parts)
