"""One batch: a checked file's valid rows scored chunk by chunk, logged, and written out.

Every chunk goes through the serving models (source "batch", one batch id), logged in one
transaction that also counts the batch's rows_scored, so the count always equals the rows
logged under its id. Cancel is checked between chunks. The output file is written whole to
a temporary name and renamed into place: there is a complete file or none.

The output holds the scored rows only (refused rows are in the report, with their row
numbers): row_id (the log's request id), prediction, band (binary: the risk band;
multi-class: the predicted class; regression: empty), model_version, then the file's own
columns (one named like an output column is kept as input_<name>). CSV text cells that a
spreadsheet would run as a formula are escaped (data/formats.csv_safe_column); numbers are not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from data.batches import OUTPUT_FORMATS, BatchRecord, BatchStore, output_path
from data.db import first_line
from data.formats import csv_safe_column
from model.batch_check import ValidationReport
from model.serving import ServingModels

SOURCE = "batch"
CHUNK = 5000
OUTPUT_COLUMNS = ["row_id", "prediction", "band", "model_version"]

log = logging.getLogger("flightdeck.batch")


class BatchCancelled(Exception):
    """The person (or Ctrl-C) stopped the batch between two chunks."""


def run_batch(
    models: ServingModels,
    frame: pd.DataFrame,
    report: ValidationReport,
    *,
    store: BatchStore,
    home: Path,
    user: str,
    file_name: str,
    fmt: str = "csv",
    chunk: int = CHUNK,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BatchRecord:
    """Score `report`'s valid rows of `frame`, log them under one batch, write the output.

    Returns the batch as it ended: done (output written), cancelled or failed (no file).
    """
    if not report.usable:
        raise ValueError("the file cannot be scored: " + report.summary_lines()[0])
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"a batch's output is one of {OUTPUT_FORMATS}, not '{fmt}'")
    batch_id = store.start(user, file_name, report.rows, models.current().version)
    store.set_refused(batch_id, report.refused_rows)
    path = output_path(home, batch_id, fmt)
    partial = path.with_name(path.name + ".part")
    try:
        scored, refused = score_valid_rows(
            models, frame, report, batch_id, store, user, chunk, progress, cancelled
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(scored, partial, fmt)
        os.replace(partial, path)
    except BatchCancelled as exc:
        partial.unlink(missing_ok=True)
        return store.finish(batch_id, "cancelled", None, str(exc))
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if not isinstance(exc, Exception):  # Ctrl-C: cancelled, then re-raised
            store.finish(batch_id, "cancelled", None, "interrupted")
            raise
        log.exception("batch %s failed", batch_id)
        return store.finish(batch_id, "failed", None, first_line(exc))
    if refused:
        store.set_refused(batch_id, report.refused_rows + refused)
    message = f"{len(scored):,} rows scored, {report.refused_rows + refused:,} refused"
    return store.finish(batch_id, "done", path.name, message)


def score_valid_rows(
    models, frame, report, batch_id, store, user, chunk, progress=None, cancelled=None
):
    """The scored rows (output columns then the file's), and how many scoring refused."""
    positions = np.flatnonzero(report.valid)
    clean, total = report.clean.iloc[positions], len(positions)
    pieces, refused, step = [], 0, store.scored_step(batch_id)
    for begin in range(0, total, chunk):
        if cancelled is not None and cancelled():
            raise BatchCancelled(f"cancelled after {begin:,} of {total:,} rows")
        end = min(begin + chunk, total)
        service, result = models.predict_many(
            _records(clean.iloc[begin:end]),
            source=SOURCE,
            user=user,
            batch_id=batch_id,
            also=step,
            validated=True,  # check_frame gave validate's verdicts, a column at a time
        )
        refused += len(result.problems)
        pieces.append(_piece(frame.iloc[positions[begin:end]], result, service.version))
        if progress is not None:
            progress(end, total)
    return pd.concat(pieces, ignore_index=True), refused


def _records(part: pd.DataFrame) -> list[dict]:
    """Rows as score_many takes them: a gap is None, not NaN.

    Built a column at a time (a third of what astype/where/to_dict took: 0.35 s vs 0.95 s
    for 100k rows of 10 columns, measured).
    """
    names = list(part.columns)
    columns = []
    for name in names:
        cells = part[name].to_numpy(dtype=object)  # float64 cells become Python floats
        cells[pd.isna(cells)] = None
        columns.append(cells.tolist())
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _piece(original: pd.DataFrame, result, version: str) -> pd.DataFrame:
    """The chunk's answered rows: the output columns, then the file's own."""
    answered = np.array([rid is not None for rid in result.request_ids], dtype=bool)
    out = pd.DataFrame(
        {
            "row_id": np.array(result.request_ids, dtype=object)[answered],
            "prediction": np.array(result.values, dtype=object)[answered].astype(float),
            "band": np.array(result.labels, dtype=object)[answered],
            "model_version": version,
        }
    )
    own = original.iloc[np.flatnonzero(answered)].reset_index(drop=True)
    own.columns = [f"input_{c}" if c in OUTPUT_COLUMNS else str(c) for c in own.columns]
    return pd.concat([out, own], axis=1)


def write_output(scored: pd.DataFrame, path: Path, fmt: str) -> None:
    """The scored rows as Parquet, or as CSV with text cells escaped against formulas."""
    if fmt == "parquet":
        scored.to_parquet(path, index=False)
        return
    safe = scored.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column].dtype):
            safe[column] = csv_safe_column(safe[column])
    safe.to_csv(path, index=False)
