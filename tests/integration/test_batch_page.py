"""The Batch page over HTTP: a 100,000-row file uploaded through the page's callback (past
the door's body limit, which only the upload may exceed), scored by the job's function,
logged once per row and downloaded; viewers, other users and hostile files refused."""

from __future__ import annotations

import base64
import io
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa

from callbacks import batch as batch_callbacks
from components import ids
from data.batches import BatchStore
from data.ingest import processed_path, read_processed
from data.tables import predictions
from model.batch_check import check_frame
from server import batch_files
from tests.conftest import PASSWORD, add_test_users
from tests.integration.dash_requests import find_output, post_callback, sign_in

BIG_ROWS = 100_000


@pytest.fixture(scope="module")
def batch_context(tmp_path_factory, small_settings):
    """A context over a copy of the small home: its own log, so counts are this module's."""
    from app import build_context

    home = tmp_path_factory.mktemp("batch-home")
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(small_settings.home / part, home / part)
    ctx = build_context(small_settings.with_overrides(home=home), lambda _: None)
    add_test_users(ctx.users)
    ctx.users.add("ann", "analyst", PASSWORD)
    return ctx


@pytest.fixture()
def batch_app(batch_context):
    from app import create_app

    app = create_app(batch_context.settings, context=batch_context)
    if "download_batch" not in app.server.view_functions:  # until app.py wires it
        batch_files.register(app.server, batch_context)
    return app


@pytest.fixture()
def analyst(batch_app):
    return sign_in(batch_app.server.test_client(), "ana")


@pytest.fixture(scope="module")
def valid_rows(batch_context) -> pd.DataFrame:
    """Real rows of the sample that the model accepts, as a file would hold them."""
    service = batch_context.service
    spec = batch_context.spec
    frame = read_processed(processed_path(batch_context.settings, spec), spec)[0]
    features = frame[service.columns].astype(object)
    return features[check_frame(service, features).valid].reset_index(drop=True)


def _data_url(frame: pd.DataFrame) -> str:
    text = frame.to_csv(index=False)
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def _upload(client, contents, file_name="flights.csv"):
    output = find_output(client, f"{ids.BATCH_REPORT}.children")
    inputs = [{"id": ids.BATCH_UPLOAD, "property": "contents", "value": contents}]
    state = [{"id": ids.BATCH_UPLOAD, "property": "filename", "value": file_name}]
    return post_callback(
        client, output, inputs, [f"{ids.BATCH_UPLOAD}.contents"], state
    )


def _answer(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def _text(component) -> str:
    return str(component)


def _logged(ctx, batch_id: str) -> int:
    query = sa.select(sa.func.count()).where(predictions.c.batch_id == batch_id)
    with ctx.database.engine.connect() as connection:
        return connection.execute(query).scalar_one()


def _staged(ctx) -> list:
    folder = batch_files.staged_dir(ctx.settings.home)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_ana001_a_100k_row_file_is_scored_whole_and_logged_once_per_row(
    batch_app, batch_context, analyst, valid_rows
):
    repeats = -(-BIG_ROWS // len(valid_rows))
    big = pd.concat([valid_rows] * repeats, ignore_index=True).iloc[:BIG_ROWS]
    big["note"] = ['=HYPERLINK("http://x")'] + ["ok"] * (BIG_ROWS - 1)
    answer = _answer(_upload(analyst, _data_url(big)))
    assert f"{BIG_ROWS:,} of {BIG_ROWS:,} rows can be scored" in _text(answer)
    assert answer[ids.BATCH_SCORE]["disabled"] is False
    ticket = answer[ids.BATCH_TICKET]["data"]
    seen = []
    shown = batch_callbacks.score_outcome(
        batch_app, batch_context, ticket, "csv", seen.append
    )
    assert "Done" in _text(shown)
    assert seen[-1] == (100, f"{BIG_ROWS:,} of {BIG_ROWS:,} rows")
    record = BatchStore(batch_context.database).list("ana", 1)[0]
    assert (record.status, record.rows_in, record.rows_scored) == (
        "done",
        BIG_ROWS,
        BIG_ROWS,
    )
    assert _logged(batch_context, record.id) == record.rows_scored
    download = analyst.get(f"/batch/{record.id}/download")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    scored = pd.read_csv(io.BytesIO(download.data), dtype=str, keep_default_na=False)
    assert len(scored) == BIG_ROWS
    assert list(scored.columns[:4]) == ["row_id", "prediction", "band", "model_version"]
    assert scored["note"].iloc[0].startswith("'=")  # escaped against formula injection
    assert _staged(batch_context) == []


def test_ana002_refused_rows_are_reported_by_row_and_left_out(
    batch_app, batch_context, analyst, valid_rows
):
    small = valid_rows.iloc[:20].copy()
    number = next(
        c
        for c in batch_context.service.columns
        if batch_context.service.schema[c].kind != "category"
    )
    small.loc[4, number] = "lots"
    answer = _answer(_upload(analyst, _data_url(small)))
    shown = _text(answer)
    assert "19 of 20 rows can be scored" in shown and "lots" in shown
    ticket = answer[ids.BATCH_TICKET]["data"]
    batch_callbacks.score_outcome(batch_app, batch_context, ticket, "parquet")
    record = BatchStore(batch_context.database).list("ana", 1)[0]
    assert (record.rows_scored, record.rows_refused) == (19, 1)
    assert _logged(batch_context, record.id) == 19
    download = analyst.get(f"/batch/{record.id}/download")
    assert len(pd.read_parquet(io.BytesIO(download.data))) == 19
    again = batch_callbacks.score_outcome(batch_app, batch_context, ticket, "csv")
    assert "already scored" in _text(again)


def test_ana003_a_cancelled_batch_keeps_its_logged_rows_and_writes_no_file(
    batch_app, batch_context, analyst, valid_rows
):
    answer = _answer(_upload(analyst, _data_url(valid_rows.iloc[:30])))
    ticket = answer[ids.BATCH_TICKET]["data"]
    staged = batch_callbacks.read_ticket(batch_app, ticket)["staged"]
    batch_files.request_cancel(batch_context.settings.home, staged)
    shown = batch_callbacks.score_outcome(batch_app, batch_context, ticket, "csv")
    assert "Cancelled" in _text(shown)
    record = BatchStore(batch_context.database).list("ana", 1)[0]
    assert record.status == "cancelled" and record.output is None
    assert _logged(batch_context, record.id) == record.rows_scored
    assert analyst.get(f"/batch/{record.id}/download").status_code == 404
    assert _staged(batch_context) == []


def test_ana004_only_the_owner_or_an_admin_downloads_a_batch(
    batch_app, batch_context, analyst, valid_rows
):
    answer = _answer(_upload(analyst, _data_url(valid_rows.iloc[:5])))
    ticket = answer[ids.BATCH_TICKET]["data"]
    batch_callbacks.score_outcome(batch_app, batch_context, ticket, "csv")
    batch_id = BatchStore(batch_context.database).list("ana", 1)[0].id
    url = f"/batch/{batch_id}/download"
    server = batch_app.server
    assert sign_in(server.test_client(), "ann").get(url).status_code == 404
    assert sign_in(server.test_client(), "vic").get(url).status_code == 403
    assert sign_in(server.test_client(), "ada").get(url).status_code == 200
    escaped = analyst.get("/batch/..%2F..%2Fetc%2Fpasswd/download")  # Dash's page
    assert "Content-Disposition" not in escaped.headers
    assert b"root:" not in escaped.data
    assert analyst.get(f"/batch/{batch_id.upper()}/download").status_code == 404
    signed_out = server.test_client().get(url)
    assert signed_out.status_code == 302 and "/login" in signed_out.location


def test_ana005_a_viewer_cannot_upload(batch_app, valid_rows):
    viewer = sign_in(batch_app.server.test_client(), "vic")
    response = _upload(viewer, _data_url(valid_rows.iloc[:5]))
    assert response.status_code == 403
    assert "analyst role" in response.get_json()["message"]


ZIP = "data:text/csv;base64," + base64.b64encode(b"PK\x03\x04junk").decode()
RAGGED = "data:text/csv;base64," + base64.b64encode(b"a,b\n1,2,3\n").decode()


@pytest.mark.parametrize(
    "contents, file_name, words",
    [
        (ZIP, "flights.csv", "zip archive"),
        (RAGGED, "flights.csv", "line 2 has 3 cells"),
        ("data:text/csv;base64,%%%notbase64", "flights.csv", "damaged"),
        ("no comma here", "flights.csv", "incomplete"),
        (RAGGED, "flights.xlsx", "not a .csv or .parquet"),
        (RAGGED, ["flights.csv"], "no usable file name"),
        (RAGGED, "x" * 300 + ".csv", "no usable file name"),
        ({"contents": 1}, "flights.csv", "incomplete"),
    ],
)
def test_ana006_hostile_uploads_get_words_and_nothing_staged(
    batch_context, analyst, contents, file_name, words
):
    answer = _answer(_upload(analyst, contents, file_name))
    assert words in _text(answer[ids.BATCH_REPORT]["children"])
    assert answer[ids.BATCH_TICKET]["data"] is None
    assert answer[ids.BATCH_SCORE]["disabled"] is True
    assert _staged(batch_context) == []


def test_ana007_other_callbacks_keep_the_small_body_limit(analyst, batch_context):
    limit = batch_context.settings.max_request_kb * 1024
    huge_search = "x" * (limit + 10)
    response = post_callback(
        analyst,
        "page.children",
        [{"id": ids.PAGE_PATH, "property": "data", "value": "/"}],
        ["page-path.data"],
        [{"id": ids.URL, "property": "search", "value": huge_search}],
    )
    assert response.status_code == 413
    assert "too large" in response.get_json()["message"]


def test_ana008_forged_tickets_score_nothing(batch_app, batch_context):
    before = len(BatchStore(batch_context.database).list("ana", 1000))
    for ticket in ("forged.ticket.value", None, {"by": "ana"}):
        shown = batch_callbacks.score_outcome(batch_app, batch_context, ticket, "csv")
        assert "not valid or has expired" in _text(shown)
    assert len(BatchStore(batch_context.database).list("ana", 1000)) == before
