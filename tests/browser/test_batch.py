"""Browser: an analyst uploads a CSV on the Batch page, reads the validation report, scores
it as a background job with progress, and downloads the scored file."""

from __future__ import annotations

import shutil
import time

import pytest
import requests

from callbacks import batch as batch_callbacks
from components import ids
from data.ingest import processed_path, read_processed
from model.batch_check import check_frame
from server import batch_files
from tests.browser.session import scroll_into_view, start_signed_in

pytestmark = pytest.mark.browser

TIMEOUT = 20
SCORE_TIMEOUT = 90
ROWS = 300


@pytest.fixture()
def batch_app(tmp_path, small_settings):
    """A fresh app over a copy of the small home (its own log and batches)."""
    from app import build_context, create_app
    from tests.conftest import add_test_users

    for part in ("data", "artifacts", "cache"):
        shutil.copytree(small_settings.home / part, tmp_path / part)
    settings = small_settings.with_overrides(home=tmp_path)
    ctx = build_context(settings, progress=lambda _: None)
    add_test_users(ctx.users)
    app = create_app(settings, context=ctx)
    if "download_batch" not in app.server.view_functions:  # until app.py wires it
        batch_files.register(app.server, ctx)
    return app, ctx


@pytest.fixture()
def upload_file(tmp_path, batch_app):
    """A CSV of real rows the model accepts, with one row it refuses."""
    _, ctx = batch_app
    service, spec = ctx.service, ctx.spec
    frame = read_processed(processed_path(ctx.settings, spec), spec)[0]
    features = frame[service.columns].astype(object)
    rows = features[check_frame(service, features).valid].iloc[:ROWS].copy()
    number = next(c for c in service.columns if service.schema[c].kind != "category")
    rows.iloc[2, rows.columns.get_loc(number)] = "lots"
    path = tmp_path / "flights-upload.csv"
    rows.to_csv(path, index=False)
    return path


def _cookies(dash_duo) -> dict:
    return {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}


def _slow_steps(monkeypatch) -> None:
    """Score in small steps that take a while, so the progress bar can be seen (the job's
    process is forked from this one, so it keeps the patches)."""
    monkeypatch.setattr(batch_callbacks, "CHUNK", 25)
    words = batch_callbacks.progress_words

    def slowly(done: int, total: int) -> str:
        time.sleep(0.3)
        return words(done, total)

    monkeypatch.setattr(batch_callbacks, "progress_words", slowly)


def test_bat001_upload_report_score_and_download(
    dash_duo, batch_app, upload_file, monkeypatch
):
    app, ctx = batch_app
    _slow_steps(monkeypatch)
    start_signed_in(dash_duo, app, "ana")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/batch")
    dash_duo.wait_for_contains_text("#" + ids.BATCH_UPLOAD, "Drop a file", TIMEOUT)
    picker = dash_duo.find_element(f"#{ids.BATCH_UPLOAD} input[type=file]")
    picker.send_keys(str(upload_file))
    dash_duo.wait_for_contains_text(
        f"#{ids.BATCH_REPORT}", f"{ROWS - 1} of {ROWS} rows can be scored", TIMEOUT
    )
    report = dash_duo.find_element(f"#{ids.BATCH_REPORT}").text
    assert "not a number" in report and "lots" in report
    score = dash_duo.find_element(f"#{ids.BATCH_SCORE}")
    scroll_into_view(dash_duo, score)
    score.click()
    dash_duo.wait_for_contains_text(
        f"#{ids.BATCH_PROGRESS_TEXT}", f" of {ROWS - 1} rows", TIMEOUT
    )
    assert dash_duo.find_element(f"#{ids.BATCH_CANCEL}").is_enabled()
    dash_duo.wait_for_contains_text(f"#{ids.BATCH_RESULT}", "Done", SCORE_TIMEOUT)
    result = dash_duo.find_element(f"#{ids.BATCH_RESULT}").text
    assert f"{ROWS - 1} of {ROWS} rows scored" in result and "1 refused" in result
    assert not dash_duo.find_element(f"#{ids.BATCH_SCORE}").is_enabled()
    dash_duo.wait_for_contains_text(f"#{ids.BATCH_HISTORY}", "flights-upload.csv")
    link = dash_duo.find_element(f"#{ids.BATCH_RESULT} a")
    download = requests.get(
        link.get_attribute("href"), cookies=_cookies(dash_duo), timeout=TIMEOUT
    )
    assert download.status_code == 200
    lines = download.text.strip().splitlines()
    assert lines[0].startswith("row_id,prediction,band,model_version")
    assert len(lines) == ROWS  # the header and the scored rows
    assert dash_duo.get_logs() == []
