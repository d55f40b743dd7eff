"""A file's rows checked against the model's schema, column by column, before any is scored.

The verdicts are ModelService.validate(row, allow_missing=True)'s (a unit test compares
them), computed over whole columns instead of row by row. Rows are numbered as a person
counts them: 1 is the first row after the header (a CSV's line 2 when no cell spans lines).
Out-of-range and never-seen numbers are warnings, as validate's are: scored, but reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.inputs import BadInput, parse_number, shorten
from model.card import FeatureEntry
from model.service import ModelService

MISSING, NOT_A_NUMBER, UNKNOWN = "missing value", "not a number", "unknown category"
OUT_OF_RANGE, UNSEEN = "out of range", "never seen in training"
PROBLEM_KINDS = (MISSING, NOT_A_NUMBER, UNKNOWN)
WARNING_KINDS = (OUT_OF_RANGE, UNSEEN)
SHOWN = 1000  # problems (and warnings) kept for display; all are counted
ROWS_NOTE = "rows are counted from 1 after the header (row 1 is a CSV's line 2)"


@dataclass(frozen=True)
class Problem:
    """One cell: its row (1-based, after the header), column, kind and value as written."""

    row: int
    column: str
    kind: str
    value: str

    def line(self, label: str) -> str:
        return f"row {self.row:,}, {label}: {self.kind} ('{self.value}')"


@dataclass
class ValidationReport:
    """What a file holds against the schema: columns, problem cells, the rows to score."""

    rows: int
    missing_columns: list[str]
    extra_columns: list[str]
    suggestions: dict[str, str]  # a missing feature: the file's column it may be
    problems: list[Problem]  # the first SHOWN, by row
    warnings: list[Problem]  # the first SHOWN, by row
    counts: dict[str, int]  # cells of each kind, all of them
    valid: np.ndarray  # one boolean per row: it can be scored
    clean: pd.DataFrame = field(repr=False)  # the features, with the training dtypes
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def valid_rows(self) -> int:
        return int(self.valid.sum())

    @property
    def refused_rows(self) -> int:
        return self.rows - self.valid_rows

    @property
    def usable(self) -> bool:
        """Every feature column is there and at least one row can be scored."""
        return not self.missing_columns and self.valid_rows > 0

    def summary_lines(self, shown: int = 10) -> list[str]:
        """The report in a few lines (the CLI prints them; the page shows them)."""
        lines = [
            f"{self.rows:,} rows: {self.valid_rows:,} can be scored, "
            f"{self.refused_rows:,} refused"
        ]
        if self.missing_columns:
            lines.append("missing columns: " + ", ".join(self._missing_named()))
        if self.extra_columns:
            lines.append(
                "extra columns (not used, kept in the output): "
                + ", ".join(shorten(c) for c in self.extra_columns[:20])
            )
        counted = [f"{kind}: {n:,}" for kind, n in self.counts.items() if n]
        if counted:
            lines.append("cells: " + "; ".join(counted) + f" ({ROWS_NOTE})")
        for problem in (self.problems + self.warnings)[:shown]:
            lines.append(problem.line(self.labels.get(problem.column, problem.column)))
        return lines

    def _missing_named(self) -> list[str]:
        named = []
        for column in self.missing_columns:
            text = f"{column} ({self.labels.get(column, column)})"
            if column in self.suggestions:
                text += f", did you mean '{shorten(self.suggestions[column])}'?"
            named.append(text)
        return named

    def to_dict(self) -> dict:
        """A JSON-safe summary for a dcc.Store or the API (problems capped at SHOWN)."""
        return {
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "refused_rows": self.refused_rows,
            "usable": self.usable,
            "missing_columns": self.missing_columns,
            "extra_columns": self.extra_columns,
            "suggestions": self.suggestions,
            "counts": self.counts,
            "problems": [vars(p) for p in self.problems],
            "warnings": [vars(p) for p in self.warnings],
            "rows_note": ROWS_NOTE,
        }


def check_frame(service: ModelService, frame: pd.DataFrame) -> ValidationReport:
    """Check every cell of `frame`'s feature columns as validate would, a column at a time."""
    present = [c for c in service.columns if c in frame.columns]
    missing = [c for c in service.columns if c not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in service.schema]
    found: list[tuple[np.ndarray, str, str]] = []  # (row positions, column, kind)
    clean, invalid = {}, np.zeros(len(frame), dtype=bool)
    for column in present:
        entry = service.schema[column]
        checked = _category if entry.kind == "category" else _number
        clean[column], marks = checked(frame[column], entry)
        for kind, mask in marks.items():
            if mask.any():
                found.append((np.flatnonzero(mask), column, kind))
            if kind in PROBLEM_KINDS:
                invalid |= mask
    return ValidationReport(
        rows=len(frame),
        missing_columns=missing,
        extra_columns=extra,
        suggestions=_suggestions(service, missing, extra),
        problems=_first(frame, found, PROBLEM_KINDS),
        warnings=_first(frame, found, WARNING_KINDS),
        counts=_counts(found),
        valid=~invalid,
        clean=pd.DataFrame(clean, columns=present),
        labels={c: e.label for c, e in service.schema.items()},
    )


def _empty(values: pd.Series) -> np.ndarray:
    """None, NaN or an empty cell: how data says a value is not known."""
    missing = values.isna().to_numpy(dtype=bool)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return missing | (values == "").fillna(False).to_numpy(dtype=bool)
    return missing


def _category(values: pd.Series, entry: FeatureEntry):
    """A category must be text, one of training's; empty cells are missing."""
    missing = _empty(values)
    is_text = values.map(lambda value: isinstance(value, str)).to_numpy(dtype=bool)
    known = values.isin(entry.categories).to_numpy() & is_text
    clean = values.astype(object).where(known, None).to_numpy(dtype=object)
    return clean, {MISSING: missing, UNKNOWN: ~known & ~missing}


def _number(values: pd.Series, entry: FeatureEntry):
    """A finite number (text parsed as validate parses it); gaps only where training had
    them; outside training's range or values: a warning."""
    missing = _empty(values)
    if pd.api.types.is_bool_dtype(values.dtype):
        numbers, bad = np.full(len(values), np.nan), ~missing
    elif pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(numbers) & ~missing
    else:
        numbers, bad = _parsed(values, missing)
    gap = missing if entry.missing_share else np.zeros(len(values), dtype=bool)
    numbers = np.where(bad | missing, np.nan, numbers)
    with np.errstate(invalid="ignore"):
        outside = (numbers < entry.min) | (numbers > entry.max)
    unseen = np.zeros(len(values), dtype=bool)
    if entry.levels:
        unseen = ~np.isnan(numbers) & ~outside & ~np.isin(numbers, entry.levels)
    return numbers, {
        MISSING: missing & ~gap,
        NOT_A_NUMBER: bad,
        OUT_OF_RANGE: outside,
        UNSEEN: unseen,
    }


def _parsed(values: pd.Series, missing: np.ndarray):
    """Text through parse_number once per distinct value (what validate does per cell)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed = np.full(len(uniques) + 1, np.nan)  # the last one: NA (code -1)
    for n, value in enumerate(uniques):
        try:
            parsed[n] = parse_number(value, "")
        except BadInput:
            pass
    numbers = parsed[codes]
    return numbers, np.isnan(numbers) & ~missing


def _counts(found) -> dict[str, int]:
    counts = dict.fromkeys(PROBLEM_KINDS + WARNING_KINDS, 0)
    for positions, _, kind in found:
        counts[kind] += len(positions)
    return counts


def _first(frame: pd.DataFrame, found, kinds) -> list[Problem]:
    """The first SHOWN cells of `kinds`, by row then column."""
    chosen = [(p, c, k) for p, c, k in found if k in kinds]
    if not chosen:
        return []
    positions = np.concatenate([p for p, _, _ in chosen])
    which = np.concatenate([np.full(len(p), n) for n, (p, _, _) in enumerate(chosen)])
    order = np.lexsort((which, positions))[:SHOWN]
    problems = []
    for i in order:
        _, column, kind = chosen[which[i]]
        row = int(positions[i])
        value = frame[column].iloc[row]
        shown = "" if value is None or value is pd.NA else shorten(str(value))
        problems.append(Problem(row + 1, column, kind, shown))
    return problems


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name)).lower()


def _suggestions(service: ModelService, missing: list[str], extra: list[str]):
    """For each missing feature, a file column whose name or label matches loosely."""
    by_key = {_key(c): c for c in extra}
    suggestions = {}
    for column in missing:
        for key in (_key(column), _key(service.schema[column].label)):
            if key in by_key:
                suggestions[column] = by_key[key]
                break
    return suggestions
