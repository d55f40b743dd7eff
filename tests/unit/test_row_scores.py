"""The row-score cache returns what the model computes, and is keyed by data and version."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.ingest import processed_path
from model.row_scores import cache_path, row_scores


def test_cache_matches_model_and_is_reused(app_context, small_settings, tmp_path):
    data_file = processed_path(small_settings, app_context.spec)
    frame = pd.read_parquet(data_file)
    service = app_context.service
    first = row_scores(service, frame, data_file, tmp_path)
    expected = service.predict_frame(frame).astype(np.float32)
    np.testing.assert_allclose(first, expected)
    cached = cache_path(tmp_path, data_file, service.version)
    assert cached.is_file()
    np.save(cached, np.full(len(frame), 0.5, dtype=np.float32))
    assert np.all(row_scores(service, frame, data_file, tmp_path) == 0.5)


def test_cache_of_the_wrong_length_is_recomputed(app_context, small_settings, tmp_path):
    data_file = processed_path(small_settings, app_context.spec)
    frame = pd.read_parquet(data_file)
    np.save(cache_path(tmp_path, data_file, app_context.service.version), np.zeros(3))
    assert row_scores(app_context.service, frame, data_file, tmp_path).shape == (
        len(frame),
    )


def test_training_primes_the_cache_for_the_new_champion(tmp_path, flights_spec):
    from config import DEFAULT_SPEC, Settings
    from data.ingest import ingest
    from model.row_scores import cache_dir
    from model.train import train

    settings = Settings(spec_path=DEFAULT_SPEC, home=tmp_path, auto_build=False)
    ingest(settings, flights_spec, sample=1500, progress=lambda _: None)
    version = train(
        settings, flights_spec, params={"max_iter": 10}, progress=lambda _: None
    )
    cached = list(
        cache_dir(tmp_path, flights_spec.name).glob(f"scores-{version}-*.npy")
    )
    assert len(cached) == 1 and np.load(cached[0]).shape == (1500,)
