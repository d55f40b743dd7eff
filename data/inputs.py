"""One parser per kind of client input: numbers, pattern-matching ids, and echoed text.

Clients can POST anything to a callback, so every number, every pattern-matching id and every
value quoted back in a message goes through one of these. A class of crash fixed here (an
integer too large for a float, an id whose column is a list) stays fixed everywhere.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Collection
from typing import Any

ECHO_LIMIT = 40
_NUMBER_TEXT_LIMIT = 64
_short_repr = reprlib.Repr()  # keyword arguments need Python 3.12
_short_repr.maxstring = _short_repr.maxother = ECHO_LIMIT
_short_repr.maxlist = _short_repr.maxdict = 5


class BadInput(ValueError):
    """A value a client sent cannot be used; the message is in the user's words."""


def shorten(value: Any, limit: int = ECHO_LIMIT) -> str:
    """Text safe to quote back: at most `limit` characters, however large the value was."""
    text = value if isinstance(value, str) else _short_repr.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_number(value: Any, name: str) -> float:
    """A finite float from an int, a float or numeric text, or BadInput saying why not.

    Catches what float() lets through or raises on: booleans, an integer too large for a
    float (OverflowError), 'nan' and 'inf', and text longer than any number.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadInput(f"{name} must be a number")
    if isinstance(value, str) and len(value) > _NUMBER_TEXT_LIMIT:
        raise BadInput(f"{name}: '{shorten(value)}' is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise BadInput(f"{name} is too large to be a number here") from None
    except ValueError:
        raise BadInput(f"{name}: '{shorten(value)}' is not a number") from None
    if not math.isfinite(number):
        raise BadInput(f"{name} must be a finite number")
    return number


def pattern_column(component_id: Any, kind: str, allowed: Collection[str]) -> str:
    """The column of a pattern-matching id {"type": kind, "column": name}, or BadInput.

    The id arrives from the client, so its shape, its type and its column are all checked.
    """
    if not isinstance(component_id, dict) or set(component_id) != {"type", "column"}:
        raise BadInput(f"unexpected input id {shorten(component_id)}")
    column = component_id["column"]
    if component_id["type"] != kind or not isinstance(column, str):
        raise BadInput(f"unexpected input id {shorten(component_id)}")
    if column not in allowed:
        raise BadInput(f"unknown field '{shorten(column)}'")
    return column


def pattern_columns(entries: Any, kind: str, allowed: Collection[str]) -> list[str]:
    """The checked columns of an ALL pattern's matches (Dash's inputs/states/outputs list)."""
    if not isinstance(entries, list):
        raise BadInput("unexpected inputs")
    return [
        pattern_column(
            entry.get("id") if isinstance(entry, dict) else None, kind, allowed
        )
        for entry in entries
    ]


def values_by_column(
    entries: Any, values: Any, kind: str, allowed: Collection[str]
) -> dict[str, Any]:
    """Pair the values of an ALL pattern input with their checked column names.

    `entries` is Dash's inputs_list (or states_list) item: one {"id": ..., ...} per match.
    """
    columns = pattern_columns(entries, kind, allowed)
    if not isinstance(values, list) or len(columns) != len(values):
        raise BadInput("unexpected inputs")
    twice = [c for n, c in enumerate(columns) if c in columns[:n]]
    if twice:
        raise BadInput(f"field '{shorten(twice[0])}' was sent twice")
    return dict(zip(columns, values, strict=True))
