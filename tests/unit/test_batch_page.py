"""The Batch page's pure parts: the caps and progress in words, the report and result
views, the staged files' life, the signed ticket and the download's file name."""

from __future__ import annotations

import datetime as dt
import os
import time

import pandas as pd
import pytest
from itsdangerous import URLSafeTimedSerializer

from callbacks import batch as batch_callbacks
from components import batch as view
from components import batch_report as answers
from data.batches import BatchRecord, is_batch_id
from data.uploads import MAX_COLUMNS, MAX_ROWS
from model.batch_check import check_frame
from server import batch_files as files
from tests.unit.dash_tree import components_of, text_of


def test_the_caps_in_words_come_from_the_enforced_constants():
    words = view.caps_words()
    assert words.startswith("CSV or Parquet, at most 20 MiB")
    assert f"{MAX_ROWS:,} rows" in words and f"{MAX_COLUMNS:,} columns" in words


@pytest.mark.parametrize(
    "done, total, words, percent",
    [
        (12_000, 100_000, "12,000 of 100,000 rows", 12),
        (0, 0, "0 of 0 rows", 0),
        (5, 3, "5 of 3 rows", 100),
    ],
)
def test_progress_in_words_and_percent(done, total, words, percent):
    assert view.progress_words(done, total) == words
    assert view.progress_percent(done, total) == percent


def _frame(service, rows: int = 3) -> pd.DataFrame:
    values = {c: [service.defaults()[c]] * rows for c in service.columns}
    return pd.DataFrame(values).astype(object).map(str)


def test_a_report_names_missing_columns_with_a_suggestion(app_context):
    service = app_context.service
    frame = _frame(service)
    first = service.columns[0]
    frame = frame.rename(columns={first: first.upper() + " "}).assign(note="x")
    report = check_frame(service, frame)
    shown = text_of(answers.report_view(report, "flights.csv"))
    assert "Nothing can be scored" in shown
    assert f"{first} (" in shown and f"did you mean {first.upper()} ?" in shown
    assert "Extra columns" in shown and "note" in shown


def test_a_report_lists_refused_cells_by_row(app_context):
    service = app_context.service
    frame = _frame(service, rows=4)
    number = next(c for c in service.columns if service.schema[c].kind != "category")
    frame.loc[2, number] = "lots"
    report = check_frame(service, frame)
    tree = answers.report_view(report, "flights.csv")
    shown = text_of(tree)
    assert "3 of 4 rows can be scored; 1 refused rows will be left out" in shown
    assert "not a number: 1" in shown
    cells = [text_of(row) for row in components_of(tree, "Tr")]
    assert any(cell.startswith("3 ") and "lots" in cell for cell in cells)


def _record(status: str, **changes) -> BatchRecord:
    values = dict(
        id="ab" * 16,
        user="ana",
        file_name="flights.csv",
        status=status,
        model_version="v1",
        rows_in=10,
        rows_scored=8,
        rows_refused=2,
        output="ab" * 16 + ".csv" if status == "done" else None,
        message=None,
        created_at=dt.datetime(2024, 5, 1, 9, 30),
        finished_at=None,
    )
    return BatchRecord(**values | changes)


def test_a_done_batch_offers_its_download_and_others_do_not():
    done = answers.result_view(_record("done"))
    assert "8 of 10 rows scored with model v1, 2 refused" in text_of(done)
    (link,) = components_of(done, "A")
    assert link.href == f"/batch/{'ab' * 16}/download"
    cancelled = answers.result_view(_record("cancelled"))
    assert "Cancelled" in text_of(cancelled) and not components_of(cancelled, "A")
    failed = answers.result_view(_record("failed", message="disk full"))
    assert "failed: disk full" in text_of(failed)


def test_the_history_links_only_finished_batches():
    table = view.history_view([_record("done"), _record("cancelled", id="cd" * 16)])
    rows = components_of(table, "Tr")[1:]
    assert len(rows) == 2 and "2024-05-01 09:30" in text_of(rows[0])
    assert len(components_of(rows[0], "A")) == 1 and not components_of(rows[1], "A")
    assert "No batches yet" in text_of(view.history_view([]))


def test_a_staged_upload_is_claimed_once_then_discarded(tmp_path):
    staged = files.stage_frame(tmp_path, pd.DataFrame({"a": ["1", "2"]}))
    assert is_batch_id(staged)
    claimed = files.claim_staged(tmp_path, staged)
    assert pd.read_parquet(claimed)["a"].tolist() == ["1", "2"]
    assert files.claim_staged(tmp_path, staged) is None
    files.request_cancel(tmp_path, staged)
    assert files.cancel_requested(tmp_path, staged)
    files.discard_staged(tmp_path, staged)
    assert list(files.staged_dir(tmp_path).iterdir()) == []


@pytest.mark.parametrize("bad", ["../../etc/passwd", "AB" * 16, "ab" * 15, None, 7])
def test_staged_paths_are_built_only_from_hex_ids(tmp_path, bad):
    assert not is_batch_id(bad)
    with pytest.raises(ValueError):
        files.claim_staged(tmp_path, bad)


def test_old_staged_uploads_are_swept(tmp_path):
    old = files.stage_frame(tmp_path, pd.DataFrame({"a": [1]}))
    path = files.staged_dir(tmp_path) / f"{old}.parquet"
    long_ago = time.time() - files.STAGED_MAX_AGE_S - 60
    os.utime(path, (long_ago, long_ago))
    new = files.stage_frame(tmp_path, pd.DataFrame({"a": [1]}))  # sweeps first
    assert not path.exists()
    assert (files.staged_dir(tmp_path) / f"{new}.parquet").exists()


class _App:
    class server:
        secret_key = "k" * 32


def test_a_ticket_is_read_only_when_signed_by_us_and_well_formed():
    signer = batch_callbacks._signer(_App)
    claims = {"by": "ana", "staged": "ab" * 16, "file": "f.csv"}
    assert batch_callbacks.read_ticket(_App, signer.dumps(claims)) == claims
    forged = URLSafeTimedSerializer("other", salt="flightdeck-batch").dumps(claims)
    path_like = signer.dumps(claims | {"staged": "../../x"})
    for ticket in (forged, path_like, signer.dumps(["ana"]), None, 12, "x.y.z"):
        assert batch_callbacks.read_ticket(_App, ticket) is None


@pytest.mark.parametrize(
    "file_name, expected",
    [
        ("flights 2024.csv", "flights_2024-scored-abababab.csv"),
        ("../../etc/passwd", "passwd-scored-abababab.csv"),
        ('=cmd|"/c calc"!A1.csv', "c_calc_A1-scored-abababab.csv"),
        ("", "batch-scored-abababab.csv"),
    ],
)
def test_the_download_name_is_safe(file_name, expected):
    assert files.download_name(file_name, "ab" * 16, "csv") == expected
