"""The monitoring aggregates kept as rows are written equal a recount of the log itself:
for single what-ifs, batches, outcomes (attached once) and the challenger's shadow answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from app import serving_models
from data.db import Database
from model.schema import drift_edges
from model.train import load_processed
from monitor import store
from monitor.aggregates import Binning, Deltas
from monitor.bins import value_bin
from monitor.rebuild import rebuild


def holdout_rows(settings, spec, service, limit: int):
    """The first held-out flights as the replay sends them: raw inputs and their rows."""
    frame, _ = load_processed(settings, spec, lambda _: None, build=False)
    frame = frame[frame["sched_dep"] >= pd.Timestamp(spec.time.valid_end)].head(limit)
    rows = [
        {
            c: row[c] if service.schema[c].kind == "number" else str(row[c])
            for c in service.columns
        }
        for row in frame.to_dict("records")
    ]
    return rows, frame


def _snapshot(database) -> dict[str, pd.DataFrame]:
    """Every aggregate table, sorted by key, sums rounded (float order of addition)."""
    out = {}
    with database.engine.connect() as connection:
        for name, table in store.TABLES.items():
            keys = list(store.key_names(table))
            frame = pd.DataFrame(
                connection.execute(sa.select(table)).mappings().all(),
                columns=[c.name for c in table.columns],
            )
            out[name] = (
                frame.sort_values(keys).reset_index(drop=True).round(6)
                if not frame.empty
                else frame
            )
    return out


@pytest.fixture()
def logged(two_version_home, flights_spec):
    """Serving models over two versions (a champion and a challenger in shadow, scored
    inline), logging to the home's fresh database."""
    settings, *_ = two_version_home
    settings = settings.with_overrides(shadow="inline")
    database = Database(settings.database).migrate()
    models, log = serving_models(settings, flights_spec, database)
    return models, log, database, settings


def test_write_time_aggregates_equal_a_recount(logged, flights_spec):
    models, log, database, settings = logged
    service = models.current()
    assert models.serving.shadow is not None
    for hour in (6, 12, 18):
        models.predict({**service.defaults(), "hour": hour}, source="whatif", user="a")
    rows, frame = holdout_rows(settings, flights_spec, service, limit=200)
    _, batch = models.predict_many(
        rows,
        source="replay",
        event_times=list(frame["sched_dep"].dt.to_pydatetime()),
    )
    actuals = {
        rid: str(y)
        for rid, y in zip(batch.request_ids, frame["delayed"], strict=True)
        if rid
    }
    assert log.attach_outcomes(actuals, "test") == len(actuals) > 150
    live = _snapshot(database)
    assert log.attach_outcomes(actuals, "test") == 0  # a re-run changes nothing
    assert _snapshot(database)["monitor_scores"].equals(live["monitor_scores"])

    assert rebuild(log) == 203
    recount = _snapshot(database)
    for name, frame_ in live.items():
        pd.testing.assert_frame_equal(frame_, recount[name], check_dtype=False)
    scores = live["monitor_scores"]
    everyone = scores[scores["segment"] == ""]
    assert everyone["n"].sum() == 203
    assert everyone["labeled"].sum() == len(actuals)
    expected = sum(y == service.card.positive for y in actuals.values())
    assert everyone["positives"].sum() == expected
    assert live["monitor_challenger"]["n"].sum() == 203  # each answer, shadowed once
    replayed = everyone[everyone["source"] == "replay"]
    assert replayed["day"].min() >= dt.date(2013, 10, 31)  # the flights' own calendar


def test_binning_reads_the_card(app_context):
    service = app_context.service
    binning = Binning(service.card, ["carrier", "origin", "not-a-feature"])
    assert binning.segments == ["carrier", "origin"]
    calibration = service.card.monitor.calibration[0]
    xs, ys = calibration.score, calibration.observed
    middle = (xs[0] + xs[1]) / 2
    assert binning.calibrated(0, middle) == pytest.approx((ys[0] + ys[1]) / 2)
    assert binning.calibrated(0, -1.0) == ys[0]
    assert binning.calibrated(0, 2.0) == ys[-1]
    low = service.card.features[0]
    assert not binning.out_of_range(service.defaults())
    hot = {**service.defaults(), "temp": 1000.0}
    assert binning.out_of_range(hot), low.column


def test_point_masses_get_their_own_drift_bin():
    """Clear sky (10 miles) holds most rows: fog below it is cut at its own deciles."""
    visibility = np.array([10.0] * 800 + list(np.linspace(0.5, 9.5, 200)))
    edges = drift_edges(visibility)
    assert value_bin(edges, 10.0) != value_bin(edges, 9.5)
    assert len({value_bin(edges, v) for v in np.linspace(0.5, 9.5, 200)}) >= 10
    assert np.histogram(visibility, edges)[0][value_bin(edges, 10.0)] == 800


def test_long_names_and_values_fit_the_aggregates(database_url):
    """A feature name or segment value longer than its column is cut (PostgreSQL refuses
    it whole); two that are then the same add up into one row."""
    database = Database(database_url).migrate()
    deltas = Deltas()
    head = (dt.date(2026, 1, 1), "v1", "api")
    for value in ("a" * 200, "a" * 300, "b"):
        deltas.add("monitor_scores", (*head, "s" * 100, value, 0, 1), n=1, p_sum=0.5)
    with database.engine.begin() as connection:
        store.write(connection, deltas)
        store.write(connection, deltas)
    rows = _snapshot(database)["monitor_scores"]
    counted = dict(zip(rows["value"], rows["n"], strict=True))
    assert counted == {"a" * 128: 4, "b": 2}
    assert set(rows["segment"]) == {"s" * 64}


def test_concurrent_writers_add_up_without_deadlock(database_url):
    """Workers adding the same aggregate rows in different orders at once: every count
    lands (PostgreSQL locks each upserted row, so unordered keys could deadlock)."""
    import random
    import threading

    database = Database(database_url).migrate()
    keys = [
        (dt.date(2026, 1, 1), "v1", "api", "s", f"value-{i}", 0, 1) for i in range(40)
    ]
    failures: list[Exception] = []

    def worker(seed: int) -> None:
        shuffled = random.Random(seed).sample(keys, len(keys))
        try:
            for _ in range(15):
                deltas = Deltas()
                for key in shuffled:
                    deltas.add("monitor_scores", key, n=1, p_sum=0.5)
                with database.engine.begin() as connection:
                    store.write(connection, deltas)
        except Exception as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = _snapshot(database)["monitor_scores"]
    assert len(rows) == 40 and set(rows["n"]) == {60}
