"""The Monitor log's queries and CSV export, on a real (migrated) SQLite file."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from data.db import Database
from data.formats import csv_safe
from data.inputs import BadInput
from data.tables import outcomes, predictions
from monitor import log_view


@pytest.fixture()
def log_engine(database_url):
    """A migrated log: 30 predictions over three days, 10 with an outcome."""
    database = Database(database_url).migrate()
    start = dt.datetime(2013, 11, 1, 6, tzinfo=dt.UTC)
    rows = [
        {
            "request_id": f"r{i:02d}",
            "created_at": start,
            "event_time": start + dt.timedelta(hours=i * 2),
            "source": "replay" if i % 3 else "whatif",
            "model_version": "v1" if i < 20 else "v2",
            "model_sha256": "0" * 64,
            "inputs": '{"carrier": "UA"}',
            "output": i / 30,
            "output_label": "=HYPERLINK(1)" if i == 7 else "on time",
            "latency_ms": 3.0 + i,
        }
        for i in range(30)
    ]
    attached = [
        {
            "request_id": f"r{i:02d}",
            "actual": "late",
            "origin": "t",
            "attached_at": start,
        }
        for i in range(10)
    ]
    with database.engine.begin() as connection:
        connection.execute(predictions.insert(), rows)
        connection.execute(outcomes.insert(), attached)
    return database.engine


def _page(engine, start=0, end=100, filters=None, sort=None):
    request = {"startRow": start, "endRow": end, "filterModel": filters}
    return log_view.log_page(engine, {**request, "sortModel": sort or []})


def test_log_pages_newest_events_first_with_outcomes_joined(log_engine):
    page = _page(log_engine, 0, 10)
    assert page.total == 30 and len(page.rows) == 10
    assert page.rows[0]["request_id"] == "r29"
    assert page.rows[0]["actual"] is None
    last = _page(log_engine, 20, 30).rows[-1]
    assert last["request_id"] == "r00" and last["actual"] == "late"
    assert _page(log_engine, 10, 20).total is None  # the grid keeps the first count


def test_log_filters_and_sorts_like_the_grid_asks(log_engine):
    filters = {
        "version": {"filterType": "text", "type": "equals", "filter": "v1"},
        "output": {"filterType": "number", "type": "greaterThan", "filter": 0.5},
    }
    page = _page(
        log_engine, filters=filters, sort=[{"colId": "event_time", "sort": "asc"}]
    )
    assert [r["request_id"] for r in page.rows] == [f"r{i}" for i in range(16, 20)]
    day = {
        "event_time": {
            "filterType": "date",
            "type": "equals",
            "dateFrom": "2013-11-02 00:00:00",
        }
    }
    assert _page(log_engine, filters=day).total == 12  # 6:00 + 2 h steps on 2 Nov
    label = {
        "label": {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "startsWith", "filter": "=HYP"},
                {"filterType": "text", "type": "blank"},
            ],
        }
    }
    assert [r["request_id"] for r in _page(log_engine, filters=label).rows] == ["r07"]


def test_counts_filter_on_the_outcome_when_asked(log_engine):
    late = {"actual": {"filterType": "text", "type": "equals", "filter": "LATE"}}
    assert _page(log_engine, 0, 5, filters=late).total == 10
    blank = {"actual": {"filterType": "text", "type": "blank"}}
    assert _page(log_engine, 0, 5, filters=blank).total == 20
    assert _page(log_engine, 0, 5).total == 30


def test_like_wildcards_in_a_filter_are_text_not_patterns(log_engine):
    filters = {"label": {"filterType": "text", "type": "contains", "filter": "%"}}
    assert _page(log_engine, filters=filters).rows == []


@pytest.mark.parametrize(
    "filters, sort",
    [
        ({"inputs": {"filterType": "text", "type": "contains", "filter": "x"}}, None),
        ({"source": {"filterType": "text", "type": "regex", "filter": "."}}, None),
        ({"output": {"filterType": "number", "type": "equals", "filter": "nan"}}, None),
        ({"output": "1; DROP TABLE predictions"}, None),
        ({"event_time": {"type": "equals", "dateFrom": "yesterday"}}, None),
        (None, [{"colId": "output); DROP TABLE predictions; --", "sort": "asc"}]),
        (None, [{"colId": "output", "sort": "asc"}]),  # not indexed: no sort
        (None, [{"colId": "event_time", "sort": "sideways"}]),
        ({"output": {"filterType": "number", "type": ["equals"], "filter": 1}}, None),
        ({"event_time": {"type": {"a": 1}, "dateFrom": "2013-11-01"}}, None),
        ({"label": {"operator": ["OR"], "conditions": [{"type": "blank"}]}}, None),
        ({"label": {"type": "contains", "filter": ["x"]}}, None),
        (None, [{"colId": ["event_time"], "sort": "asc"}]),
        (None, "event_time"),
    ],
)
def test_anything_not_whitelisted_is_refused_in_words(log_engine, filters, sort):
    with pytest.raises(BadInput):
        _page(log_engine, filters=filters, sort=sort)


@pytest.mark.parametrize("start, end", [(-1, 10), (10, 5), ("a", 10), (0, None)])
def test_bad_row_ranges_are_refused(log_engine, start, end):
    with pytest.raises(BadInput):
        _page(log_engine, start, end)


def test_pages_are_capped(log_engine, monkeypatch):
    monkeypatch.setattr(log_view, "PAGE_CAP", 7)
    page = log_view.log_page(log_engine, {"startRow": 0, "endRow": 10**9})
    assert len(page.rows) == 7 and page.total == 30
    with pytest.raises(BadInput):
        log_view.log_page(log_engine, {"startRow": 10**12, "endRow": 10**12 + 5})


def test_csv_export_is_filtered_capped_and_formula_safe(log_engine):
    filters = {"version": {"filterType": "text", "type": "equals", "filter": "v1"}}
    text, count = log_view.export_csv(log_engine, filters, None, cap=15)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert count == len(rows) == 15
    assert {r["version"] for r in rows} == {"v1"}
    assert "inputs" in rows[0] and rows[0]["request_id"] == "r19"
    hyperlink = next(r for r in rows if r["request_id"] == "r07")
    assert hyperlink["label"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "value, safe",
    [
        ("UA", "UA"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
    ],
)
def test_csv_cells_cannot_become_formulas(value, safe):
    assert csv_safe(value) == safe
    text = log_view.write_csv([{"a": value, "b": -1.5}], ["a", "b"])
    assert next(csv.reader(io.StringIO(text.split("\r\n", 1)[1], newline=""))) == [
        safe,
        "-1.5",
    ]
