"""The DuckDB backend's start-up never holds the whole processed frame: the file is scored
in batches into the row-score cache, at start and after a promote, and the Overview's
aggregates match the in-memory backend's."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import model.row_scores
from config import DEFAULT_SPEC
from data.ingest import processed_batches, processed_path, read_processed
from model.row_scores import batched_row_scores, cache_path, row_scores

SMALL_BATCH = 1500  # the 4,000-row sample in three batches


def _quiet(_message: str) -> None:
    pass


def test_batches_are_the_processed_frame_in_order(small_settings, flights_spec):
    path = processed_path(small_settings, flights_spec)
    whole, _ = read_processed(path, flights_spec)
    parts = list(processed_batches(path, flights_spec, SMALL_BATCH))
    assert [len(p) for p in parts] == [1500, 1500, 1000]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def test_batched_scores_equal_the_whole_frames(app_context, small_settings, tmp_path):
    spec, service = app_context.spec, app_context.service
    data_file = processed_path(small_settings, spec)
    frame, _ = read_processed(data_file, spec)
    scores = batched_row_scores(service, data_file, spec, tmp_path, SMALL_BATCH)
    expected = service.predict_frame(frame).astype(np.float32)
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    # The same cache file row_scores reads, reused as it is.
    cached = cache_path(tmp_path, data_file, service.version)
    np.testing.assert_array_equal(np.load(cached), scores)
    np.save(cached, np.full(len(frame), 0.5, dtype=np.float32))
    assert np.all(batched_row_scores(service, data_file, spec, tmp_path) == 0.5)
    assert np.all(row_scores(service, frame, data_file, tmp_path) == 0.5)
    assert not list(tmp_path.glob("*.tmp"))


def test_a_cache_of_the_wrong_length_is_rescored(app_context, small_settings, tmp_path):
    spec, service = app_context.spec, app_context.service
    data_file = processed_path(small_settings, spec)
    np.save(cache_path(tmp_path, data_file, service.version), np.zeros(3))
    scores = batched_row_scores(service, data_file, spec, tmp_path, SMALL_BATCH)
    assert scores.shape == (pq.ParquetFile(data_file).metadata.num_rows,)


def _duck_settings(settings, tmp_path):
    """`settings` with the flights spec on the DuckDB backend (the data and model are the
    same: the backend is in neither fingerprint), in a home without cached scores."""
    spec_path = tmp_path / "flights-duck.toml"
    text = DEFAULT_SPEC.read_text()
    spec_path.write_text(
        text.replace('loader = "flights"\n', 'loader = "flights"\nbackend = "duckdb"\n')
    )
    home = tmp_path / "home"
    for part in ("data", "artifacts"):
        shutil.copytree(settings.home / part, home / part)
    return settings.with_overrides(spec_path=spec_path, home=home, alias_poll_s=0.0)


@pytest.fixture()
def watched(monkeypatch):
    """Refuse any whole read of a processed file; count the batches read (small ones)."""
    batches: list[int] = []
    whole_read = pd.read_parquet

    def read_parquet(path, *args, **kwargs):
        if str(path).endswith("data/flights.parquet") and not kwargs.get("columns"):
            raise AssertionError(f"the whole of {path} was read")
        return whole_read(path, *args, **kwargs)

    def counted(path, spec, batch_rows=SMALL_BATCH):
        for part in processed_batches(path, spec, SMALL_BATCH):
            batches.append(len(part))
            yield part

    monkeypatch.setattr(pd, "read_parquet", read_parquet)
    monkeypatch.setattr(model.row_scores, "processed_batches", counted)
    return batches


def _scores_of(ctx) -> np.ndarray:
    """The row scores a DuckDB dataset serves (its scored copy's __score column)."""
    (scored,) = ctx.dataset.source.files
    return pq.read_table(scored, columns=["__score"])["__score"].to_numpy()


def test_duckdb_start_reads_no_whole_frame(
    app_context, small_settings, tmp_path, watched
):
    from app import build_context
    from components.overview_view import build_overview

    duck = build_context(_duck_settings(small_settings, tmp_path), progress=_quiet)
    assert type(duck.dataset).__name__ == "DuckDataset"
    assert watched == [1500, 1500, 1000]
    np.testing.assert_allclose(
        _scores_of(duck), app_context.dataset.columns.score, rtol=1e-6
    )
    args = (["2013-02-01", "2013-06-30"], {"carrier": ["UA", "B6"]}, {"hour": [6, 20]})
    mine = build_overview(app_context, *args, "visib", missing=False)
    theirs = build_overview(duck, *args, "visib", missing=False)
    assert mine.kpis.keys() == theirs.kpis.keys()
    for key, value in mine.kpis.items():
        assert theirs.kpis[key] == pytest.approx(value, rel=1e-6), key
    assert mine.figures.keys() == theirs.figures.keys()
    assert mine.routes == theirs.routes


def test_a_promote_on_duckdb_is_rescored_in_batches(
    two_version_home, tmp_path, flights_spec, watched
):
    from app import build_context

    settings, registry, old, new = two_version_home
    settings = _duck_settings(settings, tmp_path)
    ctx = build_context(settings, progress=_quiet)
    assert ctx.service.version == new and len(watched) == 3
    before = _scores_of(ctx)
    registry.set_alias("champion", old, "ada")
    assert ctx.service.version == old
    assert np.array_equal(_scores_of(ctx), before)  # starts the rescoring, still serves
    assert ctx.data.wait(old, timeout_s=30)
    assert len(watched) == 6
    path = processed_path(settings, flights_spec)
    frame = pd.concat(processed_batches(path, flights_spec), ignore_index=True)
    after = _scores_of(ctx)
    np.testing.assert_allclose(after, ctx.service.predict_frame(frame), atol=1e-6)
    assert not np.allclose(before, after)


def test_the_in_memory_start_keeps_no_frame_for_its_rescore(app_context):
    """The rescore reads the file again: its closure holds no frame after start."""
    held = [cell.cell_contents for cell in app_context.data._rescore.__closure__]
    assert not any(isinstance(value, pd.DataFrame) for value in held)
