"""The order categories are shown in: calendar order for months and weekdays, numbers by
value, a spec's explicit order, else alphabetical."""

from __future__ import annotations

import calendar

from data.target import natural_order

MONTHS = [m.lower() for m in calendar.month_name[1:]]
WEEKDAYS = [d.lower() for d in calendar.day_name]


def _calendar_key(names: list[str]):
    def key(value: str) -> tuple[int, float | str]:
        word = value.strip().lower()
        for i, name in enumerate(names):
            if word == name or (len(word) >= 3 and name.startswith(word)):
                return 0, i
        try:
            return 0, float(word)
        except ValueError:
            return 1, word

    return key


def category_order(values, kind: str = "category", order=()) -> list[str]:
    """The categories of `values` (text) in the order people expect to read them."""
    values = [str(v) for v in dict.fromkeys(values)]
    if order:
        listed = [v for v in order if v in values]
        return listed + natural_order([v for v in values if v not in listed])
    if kind == "month":
        return sorted(values, key=_calendar_key(MONTHS))
    if kind == "weekday":
        return sorted(values, key=_calendar_key(WEEKDAYS))
    return natural_order(values)


MAX_LEVELS = 24  # whole numbers with at most this many values are shown value by value


def integer_levels(finite) -> list[float]:
    """Every value of a whole-number column with few of them (hours, counts, 0/1 flags)."""
    import numpy as np

    finite = np.asarray(finite, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or not np.all(np.mod(finite, 1) == 0):
        return []
    levels = np.unique(finite)
    return levels.tolist() if levels.size <= MAX_LEVELS else []
