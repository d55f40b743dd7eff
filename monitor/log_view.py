"""The prediction log as the Monitor page's grid reads it: one page at a time, and as CSV.

The grid sends AG Grid's filter and sort models; they are translated here into SQLAlchemy
Core clauses over whitelisted columns and operators only, with every value bound, never
formatted into SQL. A page costs one LIMIT/OFFSET query (and one count on the first page).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from data.filters import FilterError, parse_date
from data.formats import csv_safe
from data.inputs import BadInput, parse_number, shorten
from data.tables import outcomes, predictions

PAGE_CAP = 500  # rows per request, whatever the grid asks for
OFFSET_CAP = 10_000_000
EXPORT_CAP = 100_000
TEXT_CAP = 200
CONDITIONS_CAP = 4


@dataclass(frozen=True)
class LogColumn:
    """One grid column: where it comes from, how it filters, whether it sorts."""

    expression: sa.ColumnElement
    kind: str  # text | number | date
    sortable: bool = False
    exact: bool = False  # text compared case-sensitively (indexed equality)


COLUMNS: dict[str, LogColumn] = {
    "event_time": LogColumn(predictions.c.event_time, "date", sortable=True),
    "logged_at": LogColumn(predictions.c.created_at, "date", sortable=True),
    "source": LogColumn(predictions.c.source, "text", exact=True),
    "version": LogColumn(predictions.c.model_version, "text", exact=True),
    "output": LogColumn(predictions.c.output, "number"),
    "label": LogColumn(predictions.c.output_label, "text"),
    "actual": LogColumn(outcomes.c.actual, "text"),
    "latency_ms": LogColumn(predictions.c.latency_ms, "number"),
    "challenger_output": LogColumn(predictions.c.challenger_output, "number"),
    "request_id": LogColumn(predictions.c.request_id, "text", exact=True),
}
GRID_COLUMNS = {name: column.expression for name, column in COLUMNS.items()}
EXPORT_COLUMNS = GRID_COLUMNS | {
    "user": predictions.c.user,
    "inputs": predictions.c.inputs,
}
DEFAULT_SORT = [("event_time", "desc")]


def _name(value) -> str | None:
    """A name the client sent, if it is text (a list or a dict is no name, and no key)."""
    return value if isinstance(value, str) else None


def _text(column, condition: dict, exact: bool):
    value = condition.get("filter")
    if not isinstance(value, str) or len(value) > TEXT_CAP:
        raise BadInput(f"a text filter must be at most {TEXT_CAP} characters")
    kind = condition.get("type")
    if exact and kind in ("equals", "notEqual"):
        match = column == value
    elif kind in ("equals", "notEqual"):
        match = sa.func.lower(column) == value.lower()
    elif kind in ("contains", "notContains"):
        match = column.icontains(value, autoescape=True)
    elif kind == "startsWith":
        match = column.istartswith(value, autoescape=True)
    elif kind == "endsWith":
        match = column.iendswith(value, autoescape=True)
    else:
        raise BadInput(f"'{shorten(kind)}' is not a text filter")
    return sa.or_(~match, column.is_(None)) if kind.startswith("not") else match


COMPARE: dict[str, Callable] = {
    "equals": lambda c, v: c == v,
    "notEqual": lambda c, v: c != v,
    "lessThan": lambda c, v: c < v,
    "lessThanOrEqual": lambda c, v: c <= v,
    "greaterThan": lambda c, v: c > v,
    "greaterThanOrEqual": lambda c, v: c >= v,
}


def _number(column, condition: dict):
    kind = _name(condition.get("type"))
    value = parse_number(condition.get("filter"), "A number filter")
    if kind == "inRange":
        high = parse_number(condition.get("filterTo"), "A number filter's upper end")
        return column.between(min(value, high), max(value, high))
    if kind not in COMPARE:
        raise BadInput(f"'{shorten(kind)}' is not a number filter")
    return COMPARE[kind](column, value)


def parse_day(value, name: str) -> dt.date:
    """A day from ISO text ('2013-11-01', or with a time after it), or BadInput in words.

    data.filters.parse_date reads it (one date parser in the app); a blank is no day here.
    """
    if value in (None, ""):
        raise BadInput(f"{name} must be a date like 2013-06-30")
    try:
        return parse_date(value, name)
    except FilterError as exc:
        raise BadInput(str(exc)) from None


def filter_day(value) -> dt.date:
    """A day from AG Grid's date filter ('2013-11-01 00:00:00'), or BadInput."""
    if isinstance(value, str) and len(value) > 40:
        raise BadInput("a date filter must be a date like 2013-06-30")
    return parse_day(value, "a date filter")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _date(column, condition: dict):
    """Whole days: 'equals 1 Nov' is every time on 1 Nov; ranges include both ends."""
    kind = _name(condition.get("type"))
    start = _midnight(filter_day(condition.get("dateFrom")))
    end = start + dt.timedelta(days=1)
    if kind == "inRange":
        end = _midnight(filter_day(condition.get("dateTo"))) + dt.timedelta(days=1)
        if end <= start:
            raise BadInput("a date range must end on or after its first day")
        return sa.and_(column >= start, column < end)
    clauses = {
        "equals": lambda: sa.and_(column >= start, column < end),
        "notEqual": lambda: sa.or_(column < start, column >= end),
        "lessThan": lambda: column < start,
        "greaterThan": lambda: column >= end,
    }
    if kind not in clauses:
        raise BadInput(f"'{shorten(kind)}' is not a date filter")
    return clauses[kind]()


def _condition(name: str, condition) -> sa.ColumnElement:
    if not isinstance(condition, dict):
        raise BadInput(f"the filter on {name} is not a filter")
    column = COLUMNS[name]
    expression, kind = column.expression, condition.get("type")
    if kind == "blank":
        return expression.is_(None)
    if kind == "notBlank":
        return expression.is_not(None)
    if column.kind == "text":
        return _text(expression, condition, column.exact)
    if column.kind == "number":
        return _number(expression, condition)
    return _date(expression, condition)


def _column_filter(name: str, model) -> sa.ColumnElement:
    """One column's filter: a single condition, or up to CONDITIONS_CAP joined by AND/OR."""
    if not isinstance(model, dict):
        raise BadInput(f"the filter on {name} is not a filter")
    if "conditions" not in model:
        return _condition(name, model)
    conditions = model["conditions"]
    if not isinstance(conditions, list) or not 0 < len(conditions) <= CONDITIONS_CAP:
        raise BadInput(f"the filter on {name} has too many conditions")
    join = {"AND": sa.and_, "OR": sa.or_}.get(_name(model.get("operator")))
    if join is None:
        raise BadInput(f"the filter on {name} must join its conditions by AND or OR")
    return join(*(_condition(name, c) for c in conditions))


def where_clauses(filter_model) -> list[sa.ColumnElement]:
    """SQL conditions for AG Grid's filter model; BadInput for anything not whitelisted."""
    if filter_model in (None, {}):
        return []
    if not isinstance(filter_model, dict):
        raise BadInput("the grid's filters are not a filter model")
    unknown = [name for name in filter_model if name not in COLUMNS]
    if unknown:
        raise BadInput(f"the log has no column '{shorten(unknown[0])}' to filter")
    return [_column_filter(name, model) for name, model in filter_model.items()]


def order_by(sort_model) -> list[sa.ColumnElement]:
    """ORDER BY for AG Grid's sort model (time columns only); newest events by default."""
    if sort_model in (None, []):
        pairs = DEFAULT_SORT
    elif not isinstance(sort_model, list) or len(sort_model) > 2:
        raise BadInput("the grid's sort is not a sort model")
    else:
        pairs = [_sort_pair(item) for item in sort_model]
    clauses = [
        getattr(COLUMNS[name].expression, direction)() for name, direction in pairs
    ]
    return [*clauses, predictions.c.id.desc()]


def _sort_pair(item) -> tuple[str, str]:
    name = _name(item.get("colId")) if isinstance(item, dict) else None
    direction = item.get("sort") if isinstance(item, dict) else None
    if name not in COLUMNS or not COLUMNS[name].sortable:
        raise BadInput(f"the log cannot be sorted by '{shorten(name)}'")
    if direction not in ("asc", "desc"):
        raise BadInput("a sort must be asc or desc")
    return name, direction


def _joined():
    return predictions.outerjoin(
        outcomes, outcomes.c.request_id == predictions.c.request_id
    )


def _select(columns: dict, where: list, sort_model) -> sa.Select:
    labelled = [expression.label(name) for name, expression in columns.items()]
    return (
        sa.select(*labelled)
        .select_from(_joined())
        .where(*where)
        .order_by(*order_by(sort_model))
    )


def _cell(value):
    """A value for JSON or CSV: times as ISO text, numbers as they are."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return value


@dataclass(frozen=True)
class LogPage:
    rows: list[dict]
    total: int | None  # known on the first page only (the grid keeps it)


def _bounds(start_row, end_row) -> tuple[int, int]:
    start = int(parse_number(start_row, "The first row"))
    end = int(parse_number(end_row, "The last row"))
    if not 0 <= start <= OFFSET_CAP or end <= start:
        raise BadInput("the rows asked for are out of range")
    return start, min(end - start, PAGE_CAP)


def log_page(engine, request) -> LogPage:
    """The rows of one grid request (getRowsRequest): filtered, sorted, capped."""
    if not isinstance(request, dict):
        raise BadInput("the grid's request is not a request")
    offset, limit = _bounds(request.get("startRow"), request.get("endRow"))
    filters = request.get("filterModel")
    where = where_clauses(filters)
    query = _select(GRID_COLUMNS, where, request.get("sortModel"))
    with engine.connect() as connection:
        rows = connection.execute(query.limit(limit).offset(offset)).mappings()
        page = [{k: _cell(v) for k, v in row.items()} for row in rows]
        total = None
        if offset == 0:
            full = len(page) == limit
            total = _count(connection, filters, where) if full else len(page)
    return LogPage(page, total)


def _count(connection, filter_model, where: list) -> int:
    """Rows matching the filters; the outcomes join (one row at most per prediction, so
    it never changes the count) only when a filter reads the outcome."""
    joined = isinstance(filter_model, dict) and "actual" in filter_model
    query = (
        sa.select(sa.func.count())
        .select_from(_joined() if joined else predictions)
        .where(*where)
    )
    return int(connection.execute(query).scalar())


def write_csv(rows: Iterable[dict], columns: list[str]) -> str:
    """CSV text of the rows; text cells that could be formulas are escaped."""
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n rows: a CR inside a cell gets quoted
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                csv_safe(v) if isinstance(v, str) else "" if v is None else v
                for v in (_cell(row.get(c)) for c in columns)
            ]
        )
    return out.getvalue()


def export_csv(
    engine, filter_model, sort_model, cap: int = EXPORT_CAP
) -> tuple[str, int]:
    """The filtered rows (at most `cap`) as CSV text, and how many rows it holds."""
    query = _select(EXPORT_COLUMNS, where_clauses(filter_model), sort_model).limit(cap)
    with engine.connect() as connection:
        rows = list(connection.execute(query).mappings())
    return write_csv(rows, list(EXPORT_COLUMNS)), len(rows)
