"""Retrain behind the gate: fit a candidate, judge it against the champion on the same
holdout, then promote it or make it the challenger. One retrain at a time per home.

`python -m model.train` and the Model page's retrain job both run `retrain`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from config import Settings
from data.db import first_line
from data.ingest import ingest, processed_path
from data.spec import DatasetSpec
from data.target import target_numbers
from model import evaluate
from model.freshness import check_freshness
from model.gate import Verdict, decide, side_by_side
from model.pipeline import class_order, predict_values
from model.registry import ModelLoadError
from model.train import Candidate, fit_candidate, headline, score_rows

BUSY = 4  # exit code: another retrain holds the lock


class RetrainBusy(RuntimeError):
    """Another retrain of this dataset is running; only one runs at a time."""


@contextlib.contextmanager
def retrain_lock(settings: Settings, spec: DatasetSpec, by: str) -> Iterator[None]:
    """Hold this dataset's retrain lock (a file lock: across processes and workers)."""
    path = settings.home / f"retrain-{spec.name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            who = handle.read().strip() or "started elsewhere"
            raise RetrainBusy(
                f"a retrain of '{spec.name}' is already running ({who})"
            ) from None
        handle.seek(0)
        handle.truncate()
        since = dt.datetime.now().isoformat(timespec="seconds")
        handle.write(f"by {by}, pid {os.getpid()}, since {since}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def retrain_busy(settings: Settings, spec: DatasetSpec) -> str | None:
    """Why a retrain cannot start now (one is running), else None."""
    try:
        with retrain_lock(settings, spec, "a check"):
            return None
    except RetrainBusy as exc:
        return str(exc)


@dataclass(frozen=True)
class RetrainResult:
    """The candidate, the champion it was judged against, the verdict, and the wall time."""

    candidate: str
    champion: str | None
    verdict: Verdict
    seconds: float
    moved: bool = True

    @property
    def outcome(self) -> str:
        if not self.moved:
            return "registered only (--no-promote)"
        if self.verdict.promote:
            return "promoted (forced)" if self.verdict.forced else "promoted"
        return "kept as challenger"

    def report(self) -> list[str]:
        """The verdict and the figures side by side, as the CLI prints them."""
        lines = [f"[gate] {self.candidate}: {self.outcome}: {self.verdict.summary()}"]
        if self.verdict.figures and self.champion:
            lines += side_by_side(self.verdict.figures, self.champion, self.candidate)
        return lines


def champion_scores(
    candidate: Candidate, champion: str, spec: DatasetSpec, progress
) -> dict[str, float]:
    """The champion's holdout metrics: from its card, or scored anew if the data changed."""
    card = candidate.registry.card(champion)
    if card.dataset.fingerprint == candidate.card.dataset.fingerprint:
        return dict(card.metrics["model"].holdout)
    progress(f"[gate] the data changed since {champion}: scoring it on this holdout")
    pipeline, card = candidate.registry.load(champion)
    holdout = candidate.parts["holdout"]
    order = class_order(pipeline, card.classes) if spec.is_classification else None
    pred = predict_values(pipeline, holdout[card.feature_columns], order)
    y = target_numbers(holdout[spec.target])
    return evaluate.score_metrics(y, pred, candidate.card.kind)


def judge(candidate: Candidate, spec, champion: str | None, force: bool, progress):
    """The gate's verdict on the candidate against the champion, on the same holdout."""
    if champion is None:
        return decide(candidate.card.kind, None, {}, spec.model.gate)
    try:
        scores = champion_scores(candidate, champion, spec, progress)
    except (ModelLoadError, OSError, KeyError, ValueError) as exc:
        return Verdict(
            True, [f"the champion {champion} cannot be scored: {first_line(exc)}"]
        )
    candidate_scores = dict(candidate.card.metrics["model"].holdout)
    return decide(candidate.card.kind, scores, candidate_scores, spec.model.gate, force)


def retrain(
    settings: Settings,
    spec: DatasetSpec,
    *,
    force: bool = False,
    by: str = "model.train",
    note: str = "",
    params: dict | None = None,
    estimator: str | None = None,
    move_aliases: bool = True,
    progress: Callable[[str], None] = print,
) -> RetrainResult:
    """Fit a candidate, judge it, and promote it or make it the challenger."""
    started = time.perf_counter()
    with retrain_lock(settings, spec, by):
        stale = check_freshness(settings, spec).data
        if stale and processed_path(settings, spec).is_file():
            progress(f"[data] rebuilding the processed data: {'; '.join(stale)}")
            ingest(settings, spec, progress=progress)
        candidate = fit_candidate(settings, spec, params, progress, estimator)
        progress(f"[train] candidate {candidate.version}: {headline(candidate.card)}")
        registry = candidate.registry
        champion = registry.resolve("champion")
        progress(
            f"[gate] judging it against the champion {champion} on the same holdout"
        )
        verdict = judge(candidate, spec, champion, force, progress)
        said = "; ".join(filter(None, [note, verdict.summary()]))[:500]
        if move_aliases and verdict.promote:
            action = "forced" if verdict.forced else "set"
            registry.set_alias("champion", candidate.version, by, said, action=action)
            score_rows(settings, spec, candidate, progress)
        elif move_aliases:
            registry.set_alias("challenger", candidate.version, by, said)
    return RetrainResult(
        candidate.version,
        champion,
        verdict,
        time.perf_counter() - started,
        move_aliases,
    )
