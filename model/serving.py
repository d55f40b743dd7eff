"""The models a process serves: the champion (or a fallback), swapped live when an alias moves.

Each process polls the alias table at most once a `poll_s` seconds (one indexed SELECT) and
loads a new champion beside the old one before swapping a single reference, so a request
keeps the service it started with and every log row names the version that answered. A
champion that cannot load, or raises when it predicts, leaves the challenger, or else the
newest version that loads, serving, with the reason kept for the banner, /readyz and each
log row. A challenger shadows every answer (model/shadow.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from data.db import first_line
from data.inputs import BadInput
from data.stores import AlreadyAnswered
from model.registry import ModelLoadError, Registry
from model.scoring import BatchResult, score_many
from model.service import InputError, ModelService, Prediction, PredictionNotLogged
from model.shadow import ShadowScorer

log = logging.getLogger("flightdeck.serving")


@dataclass(frozen=True)
class Serving:
    """What answers now, and why it is not the champion when it is not."""

    service: ModelService
    champion: str | None
    reason: str = ""
    challenger: ModelService | None = None

    @property
    def degraded(self) -> bool:
        return self.service.version != self.champion

    @property
    def shadow(self) -> ModelService | None:
        """The challenger scoring in the shadow of this answer (not when it is the answer)."""
        if self.challenger is None or self.challenger.version == self.service.version:
            return None
        return self.challenger

    def log_extra(self) -> dict:
        """What each log row records beyond the answer: the shadow and any fallback."""
        shadow = self.shadow
        return {
            "challenger_version": shadow.version if shadow else None,
            "fallback": self.reason[:300] if self.degraded else None,
        }


class ServingModels:
    """The champion service of one process, refreshed from the aliases."""

    def __init__(
        self,
        registry: Registry,
        make_service: Callable[..., ModelService],
        poll_s: float = 1.0,
        shadow: ShadowScorer | None = None,
        retry_s: float = 60.0,
    ):
        self.registry, self.make_service, self.poll_s = registry, make_service, poll_s
        self.shadow, self.retry_s = shadow, retry_s
        self._broken: dict[str, tuple[str, float]] = {}  # version: (why, retry at)
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._state = registry.alias_store.state()
        self._aliases = registry.aliases()
        self._set(self._choose(self._aliases, None))

    @property
    def serving(self) -> Serving:
        """The current state, refreshed first when the poll interval has passed."""
        if time.monotonic() - self._checked >= self.poll_s and self._lock.acquire(
            False
        ):
            try:
                self._refresh()
            finally:
                self._lock.release()
        return self._serving

    def current(self) -> ModelService:
        return self.serving.service

    def predict(self, raw: dict, **request) -> tuple[ModelService, Prediction]:
        """Answer with the serving version, shadowed by the challenger; a champion that
        raises hands the request to the fallback, and the row says so."""
        serving = self.serving
        try:
            return serving.service, self._answer(serving, raw, request)
        except (InputError, BadInput, PredictionNotLogged):
            raise
        except Exception as exc:  # the model itself failed: fall back, once
            fallback = self._after_failure(serving, exc)
            if fallback is None:
                raise
            return fallback.service, self._answer(fallback, raw, request)

    def predict_many(
        self, rows: list[dict], **request
    ) -> tuple[ModelService, BatchResult]:
        """Many rows at once (see model/scoring.py), with the same fallback and shadow."""
        serving = self.serving
        try:
            return serving.service, self._answer_many(serving, rows, request)
        except (
            PredictionNotLogged,
            AlreadyAnswered,
        ):  # the log's verdict, not the model's
            raise
        except Exception as exc:  # the model itself failed: fall back, once
            fallback = self._after_failure(serving, exc)
            if fallback is None:
                raise
            return fallback.service, self._answer_many(fallback, rows, request)

    def _answer_many(self, serving: Serving, rows: list[dict], request: dict):
        result = score_many(
            serving.service, rows, log_extra=serving.log_extra(), **request
        )
        shadow = serving.shadow
        if shadow is not None and self.shadow is not None:
            for i, clean in result.inputs.items():
                self.shadow.submit(shadow, result.request_ids[i], clean)
        return result

    def _answer(self, serving: Serving, raw: dict, request: dict) -> Prediction:
        answer = serving.service.predict(raw, log_extra=serving.log_extra(), **request)
        shadow = serving.shadow
        if shadow is not None and self.shadow is not None and answer.request_id:
            self.shadow.submit(shadow, answer.request_id, answer.inputs)
        return answer

    def _after_failure(self, serving: Serving, exc: Exception) -> Serving | None:
        """Set aside the version that raised for `retry_s`, and serve the next one."""
        version = serving.service.version
        why = f"{version} raised when predicting: {first_line(exc)}"
        log.exception("%s", why)
        with self._lock:
            if self._serving.service.version == version:
                self._broken[version] = (why, time.monotonic() + self.retry_s)
                try:
                    self._set(self._choose(self._aliases, self._serving))
                except ModelLoadError:
                    return None
            chosen = self._serving
        return None if chosen.service.version == version else chosen

    def _set(self, serving: Serving) -> None:
        self._serving = serving
        if self.shadow is not None:
            self.shadow.challenger = serving.shadow

    def _retry_due(self) -> bool:
        now = time.monotonic()
        return any(until <= now for _, until in self._broken.values())

    def _refresh(self) -> None:
        self._checked = time.monotonic()
        try:
            state = self.registry.alias_store.state()
            if state == self._state and not self._retry_due():
                return
            aliases = self.registry.aliases()
        except Exception as exc:  # the database is away: keep serving what we have
            log.warning(
                "aliases not read, serving %s: %s", self._serving.service.version, exc
            )
            return
        self._set(self._choose(aliases, self._serving))
        self._state, self._aliases = state, aliases
        log.info(
            "serving %s (champion %s)",
            self._serving.service.version,
            self._serving.champion,
        )

    def _load(self, version: str, loaded: Serving | None) -> ModelService:
        """A service for `version`: the serving one, the challenger held for the shadow
        (its artifact checked again: it is about to answer), else loaded anew."""
        if loaded is not None and loaded.service.version == version:
            return loaded.service
        held = loaded.challenger if loaded is not None else None
        if held is not None and held.version == version:
            self.registry.verify(version)
            return held
        pipeline, card = self.registry.load(version)
        return self.make_service(pipeline, card)

    def _usable(self, version: str, loaded: Serving | None, problems: list[str]):
        """The version's service, or None with the problem noted (unloadable or set aside)."""
        broken = self._broken.get(version)
        if broken and broken[1] > time.monotonic():
            problems.append(broken[0])
            return None
        self._broken.pop(version, None)
        try:
            return self._load(version, loaded)
        except (ModelLoadError, OSError, ValueError) as exc:
            problems.append(f"{version}: {exc}")
            return None

    def _choose(self, aliases: dict[str, str], loaded: Serving | None) -> Serving:
        """The champion if it serves; else the challenger, the serving one, the newest."""
        champion, problems = aliases.get("champion"), []
        order = [champion, aliases.get("challenger")]
        if loaded is not None:
            order.append(loaded.service.version)
        order += sorted(self.registry.versions(), reverse=True)
        for version in dict.fromkeys(v for v in order if v):
            service = self._usable(version, loaded, problems)
            if service is None:
                continue
            reason = "" if version == champion else _why(champion, problems)
            if reason:
                log.error("serving %s instead of the champion: %s", version, reason)
            challenger = self._challenger(aliases.get("challenger"), service, loaded)
            return Serving(service, champion, reason, challenger)
        raise ModelLoadError(
            "no model version can serve: "
            + ("; ".join(problems) or "there are none")
            + "; run `python -m model.train`"
        )

    def _challenger(self, version, serving: ModelService, loaded: Serving | None):
        """The challenger's service for shadow scoring, when it is set and loads."""
        if not version or version == serving.version:
            return None
        try:
            return self._load(version, loaded)
        except (ModelLoadError, OSError, ValueError) as exc:
            log.warning("challenger %s not shadowing: it cannot load: %s", version, exc)
            return None


def _why(champion: str | None, problems: list[str]) -> str:
    if champion is None:
        return "no champion is set"
    problem = problems[0] if problems else ""
    if "raised when predicting" in problem:
        return "the champion failed: " + problem
    return "the champion could not be loaded: " + problem
