"""run_batch on a copy of the small home: 100,000 rows scored, logged and written out
whole; a cancel or a failure mid-job leaves the batch, the log and the files consistent."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data.batches import BatchStore
from data.db import Database
from data.ingest import processed_path, read_processed
from data.tables import predictions
from data.uploads import read_table
from model.batch_check import check_frame
from model.batch_run import run_batch
from model.train import registry_for

ROWS = 100_000


@pytest.fixture()
def home(small_settings, flights_spec, tmp_path):
    """A copy of the small home (its champion only, no shadow) with its own database."""
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(small_settings.home / part, tmp_path / part)
    settings = small_settings.with_overrides(home=tmp_path)
    champion = registry_for(small_settings, flights_spec).resolve("champion")
    registry_for(settings, flights_spec).set_alias("champion", champion, "ada")
    from app import serving_models

    database = Database(settings.database).migrate()
    models, _ = serving_models(settings, flights_spec, database)
    return settings, models, BatchStore(database)


def flights_csv(settings, spec, rows: int) -> bytes:
    """`rows` flights as a CSV a team would export, with a few bad cells."""
    frame, _ = read_processed(processed_path(settings, spec), spec)
    features = frame[[f.column for f in spec.features]]
    repeated = features.iloc[np.arange(rows) % len(features)].astype(object)
    repeated = repeated.reset_index(drop=True)
    repeated.insert(0, "note", "=HYPERLINK(1)")
    repeated.loc[7, "carrier"] = "ZZ"
    repeated.loc[11, "distance"] = "far"
    return repeated.to_csv(index=False).encode()


def _logged(settings, batch_id: str) -> int:
    query = sa.select(sa.func.count()).where(predictions.c.batch_id == batch_id)
    with Database(settings.database).engine.connect() as connection:
        return int(connection.execute(query).scalar())


def _batch_files(settings) -> list[str]:
    folder = settings.home / "batches"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _run(home, frame, report, file_name: str, **options):
    """run_batch on `home` as ana, the way the page and the CLI call it."""
    settings, models, store = home
    return run_batch(
        models,
        frame,
        report,
        store=store,
        home=settings.home,
        user="ana",
        file_name=file_name,
        **options,
    )


def test_100k_rows_are_scored_logged_and_written_whole(home, flights_spec):
    settings, models, store = home
    frame = read_table(flights_csv(settings, flights_spec, ROWS), "flights.csv")
    report = check_frame(models.current(), frame)
    seen = []
    record = _run(
        home,
        frame,
        report,
        "flights.csv",
        chunk=20_000,
        progress=lambda done, total: seen.append((done, total)),
    )
    scored = report.valid_rows
    assert {(p.row, p.column) for p in report.problems} >= {
        (8, "carrier"),
        (12, "distance"),
    }
    assert record.status == "done" and record.rows_in == ROWS
    assert record.rows_refused == ROWS - scored and record.rows_scored == scored
    assert _logged(settings, record.id) == scored > ROWS * 0.95
    assert seen[-1] == (scored, scored) and len(seen) == 5
    out = pd.read_csv(settings.home / "batches" / record.output, dtype=str)
    assert len(out) == scored and list(out.columns[:4]) == [
        "row_id",
        "prediction",
        "band",
        "model_version",
    ]
    assert out["note"].eq("'=HYPERLINK(1)").all()  # escaped against formulas
    assert out["row_id"].is_unique and out["band"].notna().all()
    assert _batch_files(settings) == [record.output]


def test_cancel_mid_job_leaves_a_consistent_batch_and_no_file(home, flights_spec):
    settings, models, store = home
    frame = read_table(flights_csv(settings, flights_spec, 5000), "f.csv")
    report = check_frame(models.current(), frame)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2  # two chunks scored, then the person cancels

    record = _run(home, frame, report, "f.csv", chunk=1000, cancelled=cancelled)
    assert record.status == "cancelled" and record.rows_scored == 2000
    assert _logged(settings, record.id) == record.rows_scored
    assert f"cancelled after 2,000 of {report.valid_rows:,} rows" in record.message
    assert _batch_files(settings) == []


def test_a_failing_write_fails_the_batch_and_leaves_no_file(home, flights_spec):
    settings, models, store = home
    frame = read_table(flights_csv(settings, flights_spec, 300), "f.csv")
    report = check_frame(models.current(), frame)
    frame = frame.assign(bad=[object()] * len(frame))  # parquet cannot store these
    record = _run(home, frame, report, "f.parquet", fmt="parquet")
    assert record.status == "failed" and record.message
    assert _logged(settings, record.id) == record.rows_scored == report.valid_rows
    assert _batch_files(settings) == []
    assert [b.status for b in store.list("ana")] == ["failed"]
