"""Small measuring tools shared by every bench section: timers, percentiles, capped loops."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np

WARMUP = 3  # requests sent (and baselines run) before any is timed


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    message = message.removeprefix("[bench] ")  # serve10x's progress has it already
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def pct(values, q: float) -> float:
    """The q-th percentile, or NaN when nothing was measured."""
    if not len(values):
        return float("nan")
    return float(np.percentile(np.asarray(values, dtype=float), q))


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def timed(call: Callable, *args, **kwargs) -> float:
    """Milliseconds one call takes; its result is dropped."""
    started = time.perf_counter()
    call(*args, **kwargs)
    return ms_since(started)


def compact_kb(value) -> float:
    """Size in KB of a value as Dash sends it (compact JSON)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode()) / 1024


def largest_figure(
    body: dict, best: tuple[float, str] = (0.0, "")
) -> tuple[float, str]:
    """(KB, component) of the largest figure in a callback response, or `best` if larger."""
    sizes = [(compact_kb(p["figure"]), c) for c, p in body.items() if "figure" in p]
    return max([best, *sizes])


class CappedLoop:
    """Hands out work items until a time cap; counts attempts, collects problems."""

    def __init__(self, cap: float, noun: str = "requests"):
        self.cap, self.noun = cap, noun
        self.attempted = 0
        self.problems: list[str] = []

    def over(self, items: Iterable) -> Iterator:
        deadline = time.perf_counter() + self.cap
        for item in items:
            if time.perf_counter() > deadline:
                self.problems.append(
                    f"time cap {self.cap:.0f}s hit after {self.attempted} {self.noun}"
                )
                return
            self.attempted += 1
            yield item
