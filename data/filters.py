"""Filters the Overview sends, checked server-side before they touch the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from data.inputs import BadInput, parse_number, shorten


class FilterError(ValueError):
    """A filter value the client sent is not one the data allows."""


@dataclass(frozen=True)
class Filters:
    """A validated selection: date range, category picks, and numeric ranges."""

    start: dt.date | None = None
    end: dt.date | None = None
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    keep_missing: bool = True  # rows with no value in a range filter stay in the view


def parse_date(value, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise FilterError(
            f"{name} must be a date like 2013-06-30, not {type(value).__name__}"
        )
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise FilterError(
            f"{name} '{shorten(value)}' is not a date like 2013-06-30"
        ) from exc


def parse_choices(value, column: str, allowed: set[str]) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FilterError(f"{column} must be a list of names")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        shown = ", ".join(f"'{shorten(v)}'" for v in unknown[:5])
        raise FilterError(f"{column}: unknown value(s) {shown}")
    return tuple(dict.fromkeys(value))


def parse_range(
    value, column: str, bounds: tuple[float, float]
) -> tuple[float, float] | None:
    """A [low, high] pair inside bounds, or None when it spans all of them."""
    if value in (None, ""):
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise FilterError(f"{column} must be a pair of numbers [low, high]")
    try:
        low, high = (parse_number(v, column) for v in value)
    except BadInput as exc:
        raise FilterError(str(exc)) from None
    if low > high:
        raise FilterError(f"{column}: low {low:g} is above high {high:g}")
    if low <= bounds[0] and high >= bounds[1]:
        return None
    return low, high


def parse_missing(value) -> bool:
    """Whether rows with no value in a range filter stay: True (the default) or False."""
    if value is None:
        return True
    if not isinstance(value, bool):
        raise FilterError(
            "rows with missing values are kept (true; 'in' in a link) or left out "
            "(false; 'out')"
        )
    return value


def missing_words(row_label: str, count: int, missing_label: str, columns) -> str:
    """'1,634 flights with missing weather readings': the rows a range filter cannot judge;
    without a spec's words, 'with no' and the columns' labels ('visibility or wind speed')."""
    if not missing_label:
        labels = [c.lower() for c in columns]
        joined = ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else ""
        missing_label = f"with no {joined or labels[0]}"
    return f"{count:,} {row_label} {missing_label}"
