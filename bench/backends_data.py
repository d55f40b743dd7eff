"""The flights at 1x, 10x and 100x their rows, as Parquet for the backends bench: built once
into a folder and reused.

Each copy after the first is jittered (departure delay by -3..+3 min, temperature by
-0.2..+0.2), so no two copies are identical rows; dates stay within the year, so the views
are the same at every size. Rows keep the processed file's time order, block by block (a sort of the wide rows at 100x took too long). A `__score` column stands in for the model's scores (a hash of the row, 0-1).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from data.duck_sql import QUIET, literal_path, quoted

DEFAULT_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "flightdeck-bench-backends"


def sized_path(folder: Path, name: str, factor: int) -> Path:
    """Where the `factor`x copy of the data lives."""
    return Path(folder) / f"{name}-x{factor}.parquet"


def copy_sql(source: Path, out: Path, factor: int, spec) -> str:
    """COPY of `factor` jittered repeats of `source`, sorted by time, with __score."""
    jitter = []
    if spec.measure:
        m = quoted(spec.measure)
        jitter.append(
            f"CAST({m} + CASE WHEN k = 0 THEN 0 ELSE k % 7 - 3 END AS FLOAT) AS {m}"
        )
    if "temp" in (f.column for f in spec.features):
        jitter.append(
            'CAST("temp" + CASE WHEN k = 0 THEN 0 ELSE (k % 5 - 2) * 0.1 END AS FLOAT) '
            'AS "temp"'
        )
    replace = f" REPLACE ({', '.join(jitter)})" if jitter else ""
    return (
        f"COPY (SELECT * EXCLUDE (k, r){replace}, "
        "CAST((hash(k, r) % 1000000) / 1e6 AS FLOAT) AS __score "
        f"FROM (SELECT * EXCLUDE (file_row_number), file_row_number AS r FROM read_parquet({literal_path(str(source))}, "
        f"file_row_number = true)), range({factor}) AS t(k)) "
        f"TO {literal_path(str(out))} (FORMAT parquet, ROW_GROUP_SIZE 122880)"
    )


def build_sizes(
    source: Path, spec, factors, folder: Path = DEFAULT_DIR, progress=print
):
    """The Parquet file for each factor, built when missing or of the wrong size."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = pq.ParquetFile(source).metadata.num_rows
    out = {}
    for factor in factors:
        path = sized_path(folder, spec.name, factor)
        if (
            not path.is_file()
            or pq.ParquetFile(path).metadata.num_rows != rows * factor
        ):
            started = time.perf_counter()
            partial = path.with_suffix(".partial")
            config = {"threads": 2, "memory_limit": "4GB"}
            with duckdb.connect(config=config) as con:
                con.execute(
                    f"SET temp_directory = {literal_path(str(folder / 'spill'))}"
                )
                con.execute(QUIET)
                con.execute(copy_sql(source, partial, factor, spec))
            os.replace(partial, path)
            progress(
                f"built {path.name}: {rows * factor:,} rows in "
                f"{time.perf_counter() - started:.0f}s"
            )
        out[factor] = path
    return out
