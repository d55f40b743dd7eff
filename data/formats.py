"""Numbers for people (thousands separators, no scientific notation in normal ranges) and
text cells made safe to open in a spreadsheet."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def plain(value: float, digits: int = 4) -> str:
    """About `digits` significant digits, written out: 2700 -> '2,700', 0.0312 -> '0.0312'."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    size = abs(value)
    if size < 1e-6 or size >= 1e15:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    text = f"{value:,.{min(decimals, 8)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(p: float) -> str:
    """A probability as a percentage; tiny and near-certain ones are not rounded to 0 or 100."""
    if p in (0, 1):
        return f"{p:.0%}"
    if p < 0.001:
        return "< 0.1%"
    if p > 0.999:
        return "> 99.9%"
    return f"{p:.1%}"


def span(low: float, high: float) -> str:
    return f"{plain(low)}–{plain(high)}"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_safe_column(values: pd.Series) -> pd.Series:
    """A column's text cells through csv_safe, once per distinct value; text that reads as
    a number ('-3') is left alone: a spreadsheet takes it as a number, not a formula."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    safe = np.array([_safe_cell(value) for value in uniques] + [None], dtype=object)
    return pd.Series(safe[codes], index=values.index)


def _safe_cell(value):
    if not isinstance(value, str):
        return value
    try:
        float(value)
    except ValueError:
        return csv_safe(value)
    return value
