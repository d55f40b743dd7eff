"""The bulk path of prediction_deltas (a column at a time) counts exactly what the per-row
loop counts: same tables, keys and sums (floats up to the order of addition), for a binary,
a multi-class and a regression card, with missing numbers, unknown categories, values out
of range, fallback rows, several days and sources, and values of odd types."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest

from monitor.aggregates import (
    Binning,
    Deltas,
    Logged,
    _each_row,
    field_deltas,
    prediction_deltas,
)
from monitor.bulk_deltas import BULK, Columns, bulk_deltas

SOURCES = ("whatif", "batch", "replay", "api")
DAYS = [
    dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    dt.datetime(2026, 3, 2, 12, 0),  # naive
    dt.datetime(2013, 10, 31, 6, 15, tzinfo=dt.UTC),
]


def _value(feature, rng: random.Random):
    """A feature's value: mostly plausible, sometimes missing, unknown or out of range."""
    draw = rng.random()
    if draw < 0.05:
        return None
    if feature.kind == "category":
        if draw < 0.1:
            return "never-seen"
        return rng.choice(feature.categories or ["x"])
    low, high = feature.min or 0.0, feature.max or 1.0
    edges = feature.drift_edges
    if draw < 0.12:
        return float("nan")
    if draw < 0.2:
        return rng.choice([low - 1 - rng.random() * 10, high + 1 + rng.random() * 10])
    if draw < 0.3 and edges:
        return float(rng.choice(edges))  # exactly on an edge
    if draw < 0.35:
        return int(round(low + (high - low) * rng.random()))
    return low + (high - low) * rng.random()


def _inputs(card, rng, complete: bool):
    inputs = {f.column: _value(f, rng) for f in card.features}
    if not complete and rng.random() < 0.05:  # a column missing altogether
        del inputs[rng.choice(card.features).column]
    return inputs


def _score(card, rng) -> float:
    if card.kind == "regression":
        edges = card.monitor.edges
        if rng.random() < 0.2:
            return float(rng.choice(edges))
        return rng.uniform(edges[0] - 20, edges[-1] + 20)
    if rng.random() < 0.2:
        return rng.choice([0.0, 1.0, 0.02 * rng.randrange(51), 0.5])
    return rng.random()


def _probabilities(card, rng):
    if card.kind != "multiclass" or rng.random() < 0.05:
        return None
    shares = np.random.default_rng(rng.randrange(1 << 30)).dirichlet(
        [1.0] * len(card.classes)
    )
    probabilities = dict(zip(card.classes, shares.tolist(), strict=True))
    if rng.random() < 0.1:
        probabilities.pop(card.classes[0])
    return probabilities


def logged_rows(card, count: int, seed: int = 7, complete=False) -> list[Logged]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        probabilities = _probabilities(card, rng)
        output = max(probabilities.values()) if probabilities else _score(card, rng)
        rows.append(
            Logged(
                event_time=rng.choice(DAYS),
                source=rng.choice(SOURCES),
                inputs=_inputs(card, rng, complete),
                output=output,
                label=None,
                probabilities=probabilities,
                latency_ms=rng.choice([0.004, 0.05, 1.0, 12.5, 3000.0])
                * (1 + rng.random()),
                fallback=rng.random() < 0.1,
            )
        )
    return rows


def as_fields(row: Logged) -> dict:
    return {
        "event_time": row.event_time,
        "source": row.source,
        "inputs": row.inputs,
        "output": row.output,
        "output_label": row.label,
        "probabilities": row.probabilities,
        "latency_ms": row.latency_ms,
        "fallback": "because" if row.fallback else None,
    }


def assert_same(bulk: Deltas, loop: Deltas) -> None:
    assert set(bulk.tables) == set(loop.tables)
    for table, expected in loop.tables.items():
        got = bulk.tables[table]
        assert set(got) == set(expected), table
        for key, sums in expected.items():
            assert set(got[key]) == set(sums), (table, key)
            for name, value in sums.items():
                assert type(got[key][name]) is float, (table, key, name)
                both_nan = math.isnan(value) and math.isnan(got[key][name])
                assert both_nan or math.isclose(got[key][name], value, rel_tol=1e-9), (
                    table,
                    key,
                    name,
                    got[key][name],
                    value,
                )


def check(binning: Binning, rows: list[Logged]) -> None:
    loop = _each_row(binning, rows, Deltas())
    bulk = Deltas()
    assert bulk_deltas(binning, Columns.of_logged(rows), bulk)  # not declined
    assert_same(bulk, loop)
    assert_same(prediction_deltas(binning, rows, Deltas()), loop)
    assert_same(field_deltas(binning, [as_fields(r) for r in rows], Deltas()), loop)
    keys = {k[:3] for k in loop.tables["monitor_traffic"]}
    assert len(keys) > 8  # several days and sources
    flags = loop.tables["monitor_traffic"].values()
    assert sum(s["out_of_range"] for s in flags) > 0
    assert sum(s["fallback"] for s in flags) > 0
    features = loop.tables["monitor_features"]
    if any(kind == "category" for _, kind, _, _ in binning.features):
        assert any(key[-1] == -1 for key in features)  # unknown categories counted


def test_binary_bulk_equals_the_loop(app_context):
    card = app_context.service.card
    binning = Binning(card, ["carrier", "origin"])
    assert binning.segments == ["carrier", "origin"]
    check(binning, logged_rows(card, 3000))
    check(binning, logged_rows(card, 3000, seed=8, complete=True))


def test_odd_values_take_the_loops_conversions(app_context):
    """numpy ints, numbers as text, bools, categories as numbers, unsorted edges."""
    card = app_context.service.card
    binning = Binning(card, ["carrier", "origin"])
    rows = logged_rows(card, 600, seed=3)
    number = next(f.column for f in card.features if f.kind == "number")
    category = next(f.column for f in card.features if f.kind == "category")
    odd = [np.int64(3), "2.5", True, np.float32(1.5), 2**60, 7]
    for i, row in enumerate(rows[:60]):
        row.inputs[number] = odd[i % len(odd)]
        row.inputs[category] = [1, 2.0, None, "AA"][i % 4]
        row.inputs["carrier"] = [5, None, "UA"][i % 3]
    check(binning, rows)
    column, kind, edges, categories = binning.features[0]
    shuffled = Binning(card, ["carrier"])
    shuffled.features[0] = (column, kind, list(reversed(edges)), categories)
    check(shuffled, rows)


def test_few_rows_and_non_finite_scores_use_the_loop(app_context):
    card = app_context.service.card
    binning = Binning(card, ["carrier"])
    rows = logged_rows(card, BULK, seed=5)
    assert bulk_deltas(binning, Columns.of_logged(rows[: BULK - 1]), Deltas())
    bad = [*rows[:-1], Logged(**{**rows[-1].__dict__, "output": float("nan")})]
    untouched = Deltas()
    assert not bulk_deltas(binning, Columns.of_logged(bad), untouched) and not untouched
    with pytest.raises(ValueError):  # as the loop does: no bin for a NaN probability
        prediction_deltas(binning, bad, Deltas())


@pytest.mark.parametrize("name", ["iris", "diabetes"])
def test_multiclass_and_regression_bulk_equals_the_loop(example_context, name):
    card = example_context(name).service.card
    assert card.kind == {"iris": "multiclass", "diabetes": "regression"}[name]
    columns = [f.column for f in card.features]
    binning = Binning(card, columns[:1])
    check(binning, logged_rows(card, 3000))


def test_regression_nan_output_is_counted_as_the_loop_counts(example_context):
    card = example_context("diabetes").service.card
    binning = Binning(card, [])
    rows = logged_rows(card, 400, seed=11)
    rows[5] = Logged(**{**rows[5].__dict__, "output": float("nan")})
    assert_same(
        prediction_deltas(binning, rows, Deltas()), _each_row(binning, rows, Deltas())
    )


def _raw(database) -> list[tuple]:
    """Every predictions row as SQLite holds it (text as text), id order, without the id."""
    with database.engine.connect() as connection:
        result = connection.exec_driver_sql("SELECT * FROM predictions ORDER BY id")
        return [tuple(row)[1:] for row in result]


def test_a_bulk_insert_stores_what_core_stores(example_context, tmp_path):
    """Many rows go to SQLite through the driver: byte for byte what the Core insert of
    the same rows one small write at a time stores, aggregates included."""
    from data.db import Database
    from data.stores import PredictionLog, log_row
    from monitor import store

    card = example_context("iris").service.card
    times = [*DAYS, dt.datetime(2026, 3, 2, 10, 0, 0, 5, tzinfo=dt.UTC)]
    rows = [
        log_row(
            source=row.source,
            model_version=card.version,
            model_sha256=card.sha256,
            inputs=row.inputs,
            output=row.output,
            latency_ms=row.latency_ms,
            output_label="setosa" if i % 3 else None,
            user="ana" if i % 2 else None,
            challenger_version="v0" if i % 5 == 0 else None,
            fallback="v9 raised" if row.fallback else None,
            event_time=times[i % len(times)],
            event_key=f"k{i}" if i % 4 else None,
            probabilities=row.probabilities,
            batch_id="b1",
        )
        for i, row in enumerate(logged_rows(card, 450, seed=13))
    ]
    bulk = PredictionLog(Database(f"sqlite:///{tmp_path / 'bulk.db'}").migrate())
    core = PredictionLog(Database(f"sqlite:///{tmp_path / 'core.db'}").migrate())
    bulk.write(rows, card)
    for start in range(0, len(rows), BULK // 2):
        core.write(rows[start : start + BULK // 2], card)
    stored = _raw(bulk.database)
    assert stored == _raw(core.database) and len(stored) == 450
    assert any(row[-3] for row in stored)  # probabilities kept as JSON
    with bulk.engine.connect() as one, core.engine.connect() as other:
        for table in store.TABLES.values():
            order = ", ".join(store.key_names(table))
            query = f"SELECT * FROM {table.name} ORDER BY {order}"
            mine = one.exec_driver_sql(query).all()
            theirs = other.exec_driver_sql(query).all()
            assert len(mine) == len(theirs)
            for a, b in zip(mine, theirs, strict=True):
                assert [x for x in a if not isinstance(x, float)] == [
                    x for x in b if not isinstance(x, float)
                ]
                floats = [
                    (x, y) for x, y in zip(a, b, strict=True) if isinstance(x, float)
                ]
                assert all(math.isclose(x, y, rel_tol=1e-9) for x, y in floats)
