"""Shadow scoring: the challenger answers every logged prediction too, off the request path.

The request logs its row naming the challenger and returns; a per-process thread scores
queued rows in batches and fills in their challenger output. Rows whose answer never came
(a worker stopped with rows queued) are found by that column and scored on the thread's
next idle pass, so a shadow answer is late at worst, never lost while that challenger stays.
`inline` mode scores within the request instead; the bench measures both.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import queue
import threading
import time

from config import SHADOW_MODES as MODES
from data.db import first_line
from data.stores import PredictionLog, ShadowAnswer
from model.service import ModelService

log = logging.getLogger("flightdeck.shadow")


class ShadowScorer:
    """One per process: a queue of (challenger, request id, inputs) and the thread draining it."""

    def __init__(
        self,
        prediction_log: PredictionLog,
        mode: str = "background",
        batch: int = 256,
        idle_s: float = 30.0,
    ):
        if mode not in MODES:
            raise ValueError(f"shadow mode must be one of {MODES}, not '{mode}'")
        self.log, self.mode, self.batch, self.idle_s = (
            prediction_log,
            mode,
            batch,
            idle_s,
        )
        self.challenger: ModelService | None = None  # for the idle backfill
        self.filled = 0
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._pid: int | None = None

    def submit(self, challenger: ModelService, request_id: str, clean: dict) -> None:
        """Have `challenger` answer a row already logged under `request_id`."""
        if self.mode == "inline":
            self.score(challenger, [(request_id, clean)])
            return
        self._start()
        self._queue.put((challenger, request_id, clean))

    def score(self, challenger: ModelService, items: list[tuple[str, dict]]) -> int:
        """Score rows with the challenger and fill them in; a failure leaves them pending."""
        try:
            answers = challenger.answers([clean for _, clean in items])
            filled = self.log.fill_shadow(
                challenger.version,
                [
                    ShadowAnswer(rid, value, label or None)
                    for (rid, _), (value, label) in zip(items, answers, strict=True)
                ],
            )
        except Exception as exc:  # a bad row or the database away: the backfill retries
            log.warning(
                "shadow scoring by %s left %d row(s) pending: %s",
                challenger.version,
                len(items),
                first_line(exc),
            )
            return 0
        self.filled += filled
        return filled

    def backfill(self, challenger: ModelService, older_than_s: float = 30.0) -> int:
        """Score the rows `challenger` shadows whose answer is missing (a lost queue)."""
        before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=older_than_s)
        total = 0
        while pending := self.log.shadow_pending(
            challenger.version, before, self.batch
        ):
            filled = self.score(challenger, pending)
            total += filled
            if filled < len(pending):
                break  # scoring failed: try again on the next idle pass
        if total:
            log.info(
                "shadow backfill: %d row(s) answered by %s", total, challenger.version
            )
        return total

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until every queued row is scored (tests, the bench, shutdown)."""
        deadline = time.monotonic() + timeout_s
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._queue.unfinished_tasks

    def _start(self) -> None:
        """The thread, started on first use in each process (a forked worker starts its own)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.Queue()
                threading.Thread(target=self._run, name="shadow", daemon=True).start()
                atexit.register(self.flush, 2.0)
                self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            try:
                items = [self._queue.get(timeout=self.idle_s)]
            except queue.Empty:
                if self.challenger is not None:
                    self._idle_backfill(self.challenger)
                continue
            while len(items) < self.batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._score_groups(items)

    def _idle_backfill(self, challenger: ModelService) -> None:
        """The backfill on an idle pass; the database away (a PostgreSQL restart) is tried
        again on the next pass rather than ending the thread."""
        try:
            self.backfill(challenger)
        except Exception as exc:
            log.warning(
                "shadow backfill failed, tried again later: %s", first_line(exc)
            )

    def _score_groups(self, items: list) -> None:
        """Each challenger's rows in one batch; the queue is told only once they are written."""
        groups: dict[int, tuple[ModelService, list]] = {}
        for challenger, request_id, clean in items:
            groups.setdefault(id(challenger), (challenger, []))[1].append(
                (request_id, clean)
            )
        for challenger, rows in groups.values():
            self.score(challenger, rows)
        for _ in items:
            self._queue.task_done()
