"""check_frame: the file's cells checked a column at a time give validate's verdicts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.batch_check import (
    MISSING,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    SHOWN,
    UNKNOWN,
    UNSEEN,
    check_frame,
)
from model.service import InputError


@pytest.fixture(scope="module")
def service(app_context):
    return app_context.service


def _columns(service):
    """A number column training saw gaps in, one it did not, one with levels."""
    numbers = [c for c, e in service.schema.items() if e.kind == "number"]
    gaps = [c for c in numbers if service.schema[c].missing_share]
    full = [c for c in numbers if not service.schema[c].missing_share]
    levels = [c for c in numbers if service.schema[c].levels]
    return gaps[0], full[0], levels[0]


def _changes(service) -> list[dict]:
    gap, full, level = _columns(service)
    entry = service.schema[full]
    return [
        {},
        {"carrier": "ZZ"},
        {"carrier": ""},
        {"carrier": service.schema["carrier"].categories[0].lower()},
        {"carrier": 5},
        {"carrier": None},
        {gap: ""},
        {gap: None},
        {gap: float("nan")},
        {full: ""},
        {full: "abc"},
        {full: " 12 "},
        {full: "1_0"},
        {full: "inf"},
        {full: "nan"},
        {full: "1" * 70},
        {full: True},
        {full: str(entry.max * 10 + 1)},
        {full: str(entry.min - 1)},
        {full: 3},
        {level: str(max(service.schema[level].levels) - 0.5)},
        {full: "x", "carrier": "ZZ"},
    ]


def _rows(service) -> list[dict]:
    base = {c: str(v) for c, v in service.defaults().items()}
    return [base | change for change in _changes(service)]


def _validated(service, row):
    try:
        return service.validate(row, allow_missing=True)
    except InputError:
        return None


def test_verdicts_match_validate_row_by_row(service):
    rows = _rows(service)
    report = check_frame(service, pd.DataFrame(rows, dtype=object))
    for i, row in enumerate(rows):
        expected = _validated(service, row)
        assert report.valid[i] == (expected is not None), (i, row)
        if expected is None:
            continue
        clean, warnings = expected
        for column, value in clean.items():
            got = report.clean[column].iloc[i]
            if value is None:
                assert got is None or (isinstance(got, float) and math.isnan(got))
            else:
                assert got == value, (i, column)
        flagged = {p.row for p in report.warnings}
        assert (i + 1 in flagged) == bool(warnings), (i, row)


def test_typed_columns_match_validate(service):
    gap, full, _ = _columns(service)
    base = service.defaults()
    frame = pd.DataFrame([base] * 4)
    frame[full] = pd.Series([1.0, np.inf, np.nan, service.schema[full].max + 1])
    frame[gap] = pd.Series([np.nan, 1.0, 2.0, 3.0])
    report = check_frame(service, frame)
    assert report.valid.tolist() == [True, False, False, True]
    assert report.counts[NOT_A_NUMBER] == 1 and report.counts[MISSING] == 1
    assert report.counts[OUT_OF_RANGE] == 1


def test_report_counts_kinds_and_numbers_rows_from_one(service):
    rows = _rows(service)
    report = check_frame(service, pd.DataFrame(rows, dtype=object))
    assert report.counts[UNKNOWN] >= 3 and report.counts[MISSING] >= 2
    assert report.counts[NOT_A_NUMBER] >= 4 and report.counts[UNSEEN] == 1
    zz = [p for p in report.problems if p.value == "ZZ"]
    assert [p.row for p in zz] == [2, len(rows)]  # row 1 is the first data row
    assert report.usable and report.refused_rows == len(rows) - report.valid_rows
    text = "\n".join(report.summary_lines())
    assert "refused" in text and "row 2, Airline: unknown category ('ZZ')" in text
    assert report.to_dict()["counts"][UNKNOWN] == report.counts[UNKNOWN]


def test_missing_and_extra_columns_are_aligned_by_name(service):
    row = {c: str(v) for c, v in service.defaults().items()}
    row["Carrier "] = row.pop("carrier")
    row["Origin airport"] = row.pop("origin")
    row["note"] = "x"
    report = check_frame(service, pd.DataFrame([row], dtype=object))
    assert report.missing_columns == ["carrier", "origin"]
    assert report.extra_columns == ["Carrier ", "Origin airport", "note"]
    assert report.suggestions == {"carrier": "Carrier ", "origin": "Origin airport"}
    assert not report.usable
    assert "did you mean 'Carrier '?" in report.summary_lines()[1]


def test_problems_are_capped_for_display_but_all_counted(service):
    row = {c: str(v) for c, v in service.defaults().items()} | {"carrier": "ZZ"}
    report = check_frame(service, pd.DataFrame([row] * (SHOWN + 500), dtype=object))
    assert len(report.problems) == SHOWN and report.counts[UNKNOWN] == SHOWN + 500
    assert not report.usable and report.valid_rows == 0
