"""What the `python -m model.*` commands share: argparse types and one-line failures."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from data.db import first_line
from data.spec_errors import SpecError


def day_argument(text: str) -> dt.date:
    """An argparse type: a day written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text[:40]}' is not a date (YYYY-MM-DD)"
        ) from None


def positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: a finite number of `kind` above 0."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a number") from None
        if not (0 < value < math.inf):
            raise argparse.ArgumentTypeError(f"{text} must be a finite number above 0")
        return value

    return parse


@contextmanager
def exit_on_failure(name: str, usage: type[Exception]) -> Iterator[None]:
    """Say why on stderr, no traceback: exit 2 for a `usage` error, 1 for the rest."""
    try:
        yield
    except usage as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except SpecError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
    except Exception as exc:  # data, models, database: one line, no traceback
        print(f"{name}: failed: {first_line(exc)}", file=sys.stderr)
        raise SystemExit(1) from None
