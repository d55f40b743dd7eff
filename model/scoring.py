"""Many rows through one service at once: each validated, the valid ones scored in one
frame and logged in one transaction (replay now; batch and the API later).

The headline answer only: no effects or what-if curve, which a person reads one at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field

from data.inputs import BadInput
from data.stores import new_request_id
from model.service import InputError, ModelService, PredictionNotLogged, logger


@dataclass(frozen=True)
class BatchResult:
    """Per input row, in order: its request id, value and label (None when refused)."""

    version: str
    request_ids: list[str | None]
    values: list[float | None]
    labels: list[str | None]
    problems: dict[int, list[str]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    inputs: dict[int, dict] = field(default_factory=dict)  # the clean rows, by position

    @property
    def answered(self) -> int:
        return sum(rid is not None for rid in self.request_ids)


def _validated(service: ModelService, rows: list[dict]):
    clean, problems, warnings = {}, {}, {}
    for i, raw in enumerate(rows):
        try:
            clean[i], found = service.validate(raw, allow_missing=True)
        except (InputError, BadInput) as exc:
            problems[i] = getattr(exc, "problems", [str(exc)])
            continue
        if found:
            warnings[i] = found
    return clean, problems, warnings


def score_many(
    service: ModelService,
    rows: list[dict],
    *,
    source: str,
    user: str | None = None,
    event_times: list[dt.datetime | None] | None = None,
    keys: list[str | None] | None = None,
    log_extra: dict | None = None,
) -> BatchResult:
    """Validate every row, score the valid ones together and log them before answering."""
    started = time.perf_counter()
    clean, problems, warnings = _validated(service, rows)
    positions = sorted(clean)
    answers = []
    if positions:
        with service.scoring_threads():
            scores = service.scores(service.frame([clean[i] for i in positions]))
        answers = [service.answer(row) for row in scores]
    latency = (time.perf_counter() - started) * 1000 / max(len(positions), 1)
    now = dt.datetime.now(dt.UTC)
    request_ids: list[str | None] = [None] * len(rows)
    values: list[float | None] = [None] * len(rows)
    labels: list[str | None] = [None] * len(rows)
    logged = []
    for k, i in enumerate(positions):
        value, label, _, probabilities = answers[k]
        request_ids[i], values[i], labels[i] = new_request_id(), value, label
        logged.append(
            {
                "request_id": request_ids[i],
                "created_at": now,
                "event_time": (event_times[i] if event_times else None) or now,
                "event_key": keys[i] if keys else None,
                "probabilities": json.dumps(probabilities)
                if service.kind == "multiclass"
                else None,
                "source": source,
                "user": user,
                "model_version": service.version,
                "model_sha256": service.card.sha256,
                "inputs": json.dumps(clean[i], sort_keys=True),
                "output": float(value),
                "output_label": label or None,
                "latency_ms": latency,
                "challenger_version": None,
                "challenger_output": None,
                "challenger_label": None,
                "fallback": None,
                **(log_extra or {}),
            }
        )
    _log(service, logged)
    return BatchResult(
        service.version,
        request_ids,
        values,
        labels,
        problems,
        warnings,
        {i: clean[i] for i in positions},
    )


def _log(service: ModelService, rows: list[dict]) -> None:
    """All the batch's rows in one transaction, or none (and no answer)."""
    if service.log is None or not rows:
        return
    try:
        service.log.write(rows, service.card)
    except Exception as exc:  # any database failure: refuse to answer unlogged
        logger.error(
            "a batch of %d predictions refused: not logged: %s", len(rows), exc
        )
        raise PredictionNotLogged(
            f"{len(rows)} predictions could not be logged: {exc}"
        ) from exc
