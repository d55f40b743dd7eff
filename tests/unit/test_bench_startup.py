"""bench.startup's pure parts: a sized copy becomes a processed file the app reads, and the
spec copy names the backend."""

from __future__ import annotations

import pyarrow.parquet as pq

from bench.backends_data import build_sizes
from bench.startup import processed_copy, spec_for, table
from config import DEFAULT_SPEC
from data.ingest import processed_info, processed_path, read_processed
from data.spec import load_spec


def test_a_sized_copy_reads_as_the_processed_file(
    small_settings, flights_spec, tmp_path
):
    base = processed_path(small_settings, flights_spec)
    files = build_sizes(base, flights_spec, [2], tmp_path, progress=lambda _: None)
    out = tmp_path / "home" / "data" / "flights.parquet"
    processed_copy(files[2], base, out)
    frame, info = read_processed(out, flights_spec)
    whole, base_info = read_processed(base, flights_spec)
    assert len(frame) == info.rows == 2 * len(whole)
    assert "__score" not in frame and frame.dtypes.equals(whole.dtypes)
    assert info.classes == base_info.classes
    assert info.spec_fingerprint == processed_info(base).spec_fingerprint
    assert pq.ParquetFile(out).metadata.num_rows == 2 * len(whole)


def test_the_spec_copy_sets_the_backend(tmp_path):
    path = spec_for("duckdb", DEFAULT_SPEC, tmp_path)
    assert load_spec(path).source.backend == "duckdb"
    assert load_spec(path).fingerprint("data") == load_spec(DEFAULT_SPEC).fingerprint(
        "data"
    )


def test_table_reads_each_start():
    rows = [
        {
            "size": 10,
            "rows": 3_367_760,
            "spec_backend": "duckdb",
            "start_s": 15.2,
            "peak_mb": 594.3,
        },
        {"size": 100, "rows": 33_677_600, "spec_backend": "memory", "error": ["x"]},
    ]
    text = table(rows)
    assert "| 10x | 3,367,760 | duckdb | 15 s | 594 MB |" in text
    assert "| 100x | 33,677,600 | memory | failed |  |" in text
