"""The models a process serves: the champion (or a fallback), swapped live when an alias moves.

Each process polls the alias table at most once a `poll_s` seconds (one indexed SELECT) and
loads a new champion beside the old one before swapping a single reference, so a request
keeps the service it started with and every log row names the version that answered. A
champion that cannot load leaves the challenger, or else the newest version that loads,
serving, with the reason kept for the banner and /readyz.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from model.registry import ModelLoadError, Registry
from model.service import ModelService

log = logging.getLogger("flightdeck.serving")


@dataclass(frozen=True)
class Serving:
    """What answers now, and why it is not the champion when it is not."""

    service: ModelService
    champion: str | None
    reason: str = ""

    @property
    def degraded(self) -> bool:
        return self.service.version != self.champion


class ServingModels:
    """The champion service of one process, refreshed from the aliases."""

    def __init__(
        self,
        registry: Registry,
        make_service: Callable[..., ModelService],
        poll_s: float = 1.0,
    ):
        self.registry, self.make_service, self.poll_s = registry, make_service, poll_s
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._state = registry.alias_store.state()
        self._serving = self._choose(registry.aliases(), None)

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

    def _refresh(self) -> None:
        self._checked = time.monotonic()
        try:
            state = self.registry.alias_store.state()
            if state == self._state:
                return
            aliases = self.registry.aliases()
        except Exception as exc:  # the database is away: keep serving what we have
            log.warning(
                "aliases not read, serving %s: %s", self._serving.service.version, exc
            )
            return
        self._serving = self._choose(aliases, self._serving)
        self._state = state
        log.info(
            "serving %s (champion %s)",
            self._serving.service.version,
            self._serving.champion,
        )

    def _load(self, version: str, loaded: Serving | None) -> ModelService:
        if loaded is not None and loaded.service.version == version:
            return loaded.service
        pipeline, card = self.registry.load(version)
        return self.make_service(pipeline, card)

    def _choose(self, aliases: dict[str, str], loaded: Serving | None) -> Serving:
        """The champion if it loads; else the challenger, the serving one, the newest."""
        champion, problems = aliases.get("champion"), []
        order = [champion, aliases.get("challenger")]
        if loaded is not None:
            order.append(loaded.service.version)
        order += sorted(self.registry.versions(), reverse=True)
        for version in dict.fromkeys(v for v in order if v):
            try:
                service = self._load(version, loaded)
            except (ModelLoadError, OSError, ValueError) as exc:
                problems.append(f"{version}: {exc}")
                continue
            reason = "" if version == champion else _why(champion, problems)
            if reason:
                log.error("serving %s instead of the champion: %s", version, reason)
            return Serving(service, champion, reason)
        raise ModelLoadError(
            "no model version can serve: "
            + ("; ".join(problems) or "there are none")
            + "; run `python -m model.train`"
        )


def _why(champion: str | None, problems: list[str]) -> str:
    if champion is None:
        return "no champion is set"
    return "the champion could not be loaded: " + (problems[0] if problems else "")
