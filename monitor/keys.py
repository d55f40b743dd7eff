"""Event keys: one canonical text per row from the spec's [monitor] keys columns.

The replay writes them into the prediction log and the outcome matcher computes them from a
CSV, so both go through `event_keys` and agree whatever types each side read: "1545",
1545 and 1545.0 are all `1545`; "2013-01-01 05:15" and a Timestamp are both
`2013-01-01T05:15:00`. A row with a missing part has no key (None).
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
from pandas.api import types

SEPARATOR = "|"
INTEGER = re.compile(r"[+-]?\d+")
DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
TIMESTAMP = re.compile(
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def utc_day(stamp: dt.datetime) -> dt.date:
    """The day of an event time (in UTC when it carries a time zone)."""
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return stamp.date()


def event_keys(frame: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> pd.Series:
    """One key per row (`UA|1545|2013-01-01T05:15:00`), None where a part is missing."""
    parts = [column_texts(frame[column]) for column in columns]
    if not parts:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    keys = [
        None if None in row else SEPARATOR.join(row) for row in zip(*parts, strict=True)
    ]
    return pd.Series(keys, index=frame.index, dtype=object)


def column_texts(values: pd.Series) -> list[str | None]:
    """Each value's canonical text (None where missing); categories and times at once."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        texts = [value_text(c) for c in values.cat.categories]
        return [texts[code] if code >= 0 else None for code in values.cat.codes]
    if types.is_datetime64_any_dtype(values.dtype):
        texts = utc_naive(values).dt.strftime(TIME_FORMAT).to_numpy(dtype=object)
        return [None if pd.isna(t) else t for t in texts]
    times = _as_times(values)
    if times is not None:
        return column_texts(times)
    if types.is_integer_dtype(values.dtype) and not types.is_bool_dtype(values.dtype):
        return values.astype("string").to_numpy(dtype=object, na_value=None).tolist()
    if types.is_float_dtype(values.dtype):  # numpy scalars keep float32's short form
        return [value_text(v) for v in values.to_numpy()]
    codes, uniques = pd.factorize(values)  # each distinct value read once
    texts = [value_text(v) for v in uniques]
    return [texts[code] if code >= 0 else None for code in codes]


def utc_naive(stamps: pd.Series) -> pd.Series:
    """Times without a zone to compare and write: an aware column in UTC, naive as is."""
    if stamps.dt.tz is not None:
        return stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps


def _as_times(values: pd.Series) -> pd.Series | None:
    """A text column whose every value reads as a time, parsed at once (fast for files)."""
    if not (types.is_object_dtype(values.dtype) or types.is_string_dtype(values.dtype)):
        return None
    text = values.dropna().astype(str).str.strip()
    if text.empty or not text.str.fullmatch(TIMESTAMP.pattern).all():
        return None
    try:
        return pd.to_datetime(values.astype(str).str.strip(), format="mixed")
    except (ValueError, TypeError):
        return None  # mixed offsets or impossible dates: one value at a time


def value_text(value) -> str | None:
    """The canonical text of one value, or None when it is missing."""
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return number_text(value)
    if isinstance(value, dt.date | np.datetime64):
        return time_text(pd.Timestamp(value))
    return text_key(str(value))


def number_text(value: float | np.floating) -> str | None:
    """Integral numbers without '.0'; others at their own precision (float32 stays short)."""
    if pd.isna(value):
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    if number.is_integer():
        return str(int(number))
    return str(value) if isinstance(value, np.float32) else repr(number)


def time_text(stamp: pd.Timestamp) -> str | None:
    """ISO to the second; an aware time is written in UTC."""
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.strftime(TIME_FORMAT)


def text_key(text: str) -> str | None:
    """Text as read from a file: numbers and times written as such, the rest stripped."""
    text = text.strip()
    if not text:
        return None
    if INTEGER.fullmatch(text):
        return str(int(text))
    if DECIMAL.fullmatch(text):
        return number_text(float(text))
    if TIMESTAMP.fullmatch(text):
        try:
            return time_text(pd.Timestamp(text.replace("/", "-")))
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower()
    return text.replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR)
