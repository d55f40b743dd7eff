"""Many rows through one service at once: each validated, the valid ones scored in one
frame and logged in one transaction (replay now; batch and the API later).

The headline answer only: no effects or what-if curve, which a person reads one at a time.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from data.inputs import BadInput
from data.stores import AlreadyAnswered, log_row
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


def _scored(service: ModelService, clean: dict[int, dict]) -> list[tuple]:
    """Each valid row's answer (value, label, colour, probabilities), scored in one frame."""
    if not clean:
        return []
    with service.scoring_threads():
        scores = service.scores(service.columns_of(list(clean.values())))
    return [service.answer(row) for row in scores]


def score_many(
    service: ModelService,
    rows: list[dict],
    *,
    source: str,
    user: str | None = None,
    event_times: list[dt.datetime | None] | None = None,
    keys: list[str | None] | None = None,
    log_extra: dict | None = None,
    batch_id: str | None = None,
    idempotency_key: str | None = None,
    also=None,
    validated: bool = False,
) -> BatchResult:
    """Validate every row, score the valid ones together and log them before answering.

    `also(connection, result)` runs inside the log's transaction (see PredictionLog.write).
    `validated`: the rows are already clean (a batch file checked by
    model/batch_check.check_frame, which gives validate's verdicts column by column).
    """
    started = time.perf_counter()
    if validated:
        clean, problems, warnings = dict(enumerate(rows)), {}, {}
    else:
        clean, problems, warnings = _validated(service, rows)
    answers = dict(zip(clean, _scored(service, clean), strict=True))
    latency = (time.perf_counter() - started) * 1000 / max(len(clean), 1)
    now = dt.datetime.now(dt.UTC)
    logged = {
        i: log_row(
            source=source,
            user=user,
            model_version=service.version,
            model_sha256=service.card.sha256,
            inputs=clean[i],
            output=value,
            output_label=label or None,
            latency_ms=latency,
            event_time=event_times[i] if event_times else None,
            event_key=keys[i] if keys else None,
            probabilities=probabilities if service.kind == "multiclass" else None,
            batch_id=batch_id,
            idempotency_key=idempotency_key,
            now=now,
            **(log_extra or {}),
        )
        for i, (value, label, _, probabilities) in answers.items()
    }
    result = BatchResult(
        service.version,
        [logged[i]["request_id"] if i in logged else None for i in range(len(rows))],
        [answers[i][0] if i in answers else None for i in range(len(rows))],
        [answers[i][1] if i in answers else None for i in range(len(rows))],
        problems,
        warnings,
        clean,
    )
    step = (lambda connection: also(connection, result)) if also else None
    _log(service, list(logged.values()), step)
    return result


def _log(service: ModelService, rows: list[dict], also=None) -> None:
    """All the batch's rows in one transaction, or none (and no answer)."""
    if service.log is None or not rows:
        return
    try:
        service.log.write(rows, service.card, also)
    except AlreadyAnswered:
        raise
    except Exception as exc:  # any database failure: refuse to answer unlogged
        logger.error(
            "a batch of %d predictions refused: not logged: %s", len(rows), exc
        )
        raise PredictionNotLogged(
            f"{len(rows)} predictions could not be logged: {exc}"
        ) from exc
