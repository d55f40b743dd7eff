"""bench.backends' pure parts: sizes, the memory guard, the sized copies and the table."""

from __future__ import annotations

import argparse

import duckdb
import pyarrow.parquet as pq
import pytest

from bench.backends import fits_in_memory, parse_sizes, result_row, table
from bench.backends_data import build_sizes, sized_path
from data.ingest import processed_path


def test_sizes_are_whole_copies():
    assert parse_sizes("1,10,100") == [1, 10, 100]
    assert parse_sizes("10") == [10]
    for bad in ("0", "", "1,-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_sizes(bad)


def test_memory_guard_leaves_room():
    assert fits_in_memory(1_000_000, 24 * 2**30)
    assert not fits_in_memory(100_000_000, 24 * 2**30)


def test_sized_copies_repeat_and_jitter(small_settings, flights_spec, tmp_path):
    source = processed_path(small_settings, flights_spec)
    files = build_sizes(source, flights_spec, [1, 3], tmp_path, progress=lambda _: None)
    assert files[3] == sized_path(tmp_path, "flights", 3)
    rows = pq.ParquetFile(source).metadata.num_rows
    assert pq.ParquetFile(files[3]).metadata.num_rows == 3 * rows
    with duckdb.connect() as con:
        sql = f"SELECT * FROM read_parquet('{files[3]}')"
        low, high, delays = con.execute(
            f"SELECT min(__score), max(__score), count(DISTINCT dep_delay) FROM ({sql})"
        ).fetchall()[0]
        original = con.execute(
            f"SELECT count(DISTINCT dep_delay) FROM read_parquet('{source}')"
        ).fetchall()[0][0]
    assert 0 <= low and high < 1
    assert delays > original  # the copies are jittered, not identical
    # Built once: a second call reuses the files.
    before = files[3].stat().st_mtime_ns
    build_sizes(source, flights_spec, [3], tmp_path, progress=lambda _: None)
    assert files[3].stat().st_mtime_ns == before


def test_result_row_and_table():
    report = {
        "times": [10.0, 20.0, 30.0],
        "load_s": 1.0,
        "rss_loaded_mb": 300.0,
        "rss_served_mb": 310.0,
        "peak_mb": 320.0,
    }
    row = result_row(10, 3_367_760, "duckdb", report, [5.0, 5.0])
    assert row["p50_ms"] == 20.0 and row["p50_ratio"] == 4.0 and row["n"] == 3
    skipped = result_row(100, 33_677_600, "memory", {"skipped": "needs ~10 GB"}, [5.0])
    text = table([row, skipped], 250.0)
    assert "| 10x | 3,367,760 | duckdb | 20 ms |" in text
    assert "skipped: needs ~10 GB" in text
    assert "250 MB" in text
