"""Reports over real HTTP (Flask test client, signed in through the login form): the
Overview and a Predict answer as HTML and as PDF, roles, and bad links refused whole."""

from __future__ import annotations

import html
import shutil
import subprocess

import pytest

from server.pdf import find_chromium
from tests.integration.dash_requests import sign_in

FILTERS = "?carrier=UA&carrier=DL&hour=6~20&start=2013-03-01&end=2013-08-31"
NEEDS_PDF_TOOLS = pytest.mark.skipif(
    find_chromium() is None or shutil.which("pdftotext") is None,
    reason="PDF tests need Chromium and pdftotext (make test installs both on Debian)",
)


@pytest.fixture()
def viewer(dash_app):
    return sign_in(dash_app.server.test_client(), "vic")


def _attachment(response, suffix: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith(f'{suffix}"')


def test_overview_report_says_what_the_view_shows(viewer):
    response = viewer.get(f"/report/overview.html{FILTERS}")
    _attachment(response, ".html")
    page = response.get_data(as_text=True)
    for words in ("Airline", "(UA), ", "(DL)", "6–20 h", "1 Mar 2013 – 31 Aug 2013"):
        assert words in page
    assert page.count('data-chart="chart-') == 6
    assert html.escape(f"http://localhost/{FILTERS}") in page  # the view in the app


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("?carrier=ZZ", "unknown value"),
        ("?hour=20~6", "hour"),
        ("?start=2013-13-45", "date"),
        ("?bins=<script>", "not a column you can bin by"),
    ],
)
def test_bad_filters_get_a_page_saying_why_and_no_file(viewer, query, reason):
    response = viewer.get(f"/report/overview.html{query}")
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    page = response.get_data(as_text=True)
    assert "Report not made" in page and reason.lower() in page.lower()
    assert "<script>" not in page


def test_weather_left_out_is_said(viewer, app_context):
    page = viewer.get("/report/overview.html?missing=out").get_data(as_text=True)
    assert "Left out" in page and app_context.dataset.missing_words in page
    assert viewer.get("/report/overview.html?missing=maybe").status_code == 400


def test_predict_report_is_an_answer_logged_like_any_other(client, app_context):
    before = app_context.log.count(source="report")
    response = client.get("/report/predict.html?carrier=UA&hour=18&weekday=4")
    _attachment(response, ".html")
    page = response.get_data(as_text=True)
    assert "Chance of: Delayed 15+ min" in page and "Inputs" in page
    assert page.count('data-chart="chart-') == 2
    assert app_context.log.count(source="report") == before + 1


def test_predict_report_refuses_bad_inputs_and_logs_nothing(client, app_context):
    before = app_context.log.count()
    response = client.get("/report/predict.html?hour=abc&carrier=ZZ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is not a number" in page and "is not a known value" in page
    assert app_context.log.count() == before


def test_roles_and_formats(viewer):
    assert (
        viewer.get("/report/predict.html").status_code == 403
    )  # viewers do not predict
    assert viewer.get("/report/overview.docx").status_code == 404


def test_reports_need_a_session(dash_app):
    response = dash_app.server.test_client().get("/report/overview.html")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _pdf_text(body: bytes, tmp_path) -> tuple[str, int]:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(
        next(
            line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")
        )
    )
    return text, pages


@NEEDS_PDF_TOOLS
def test_overview_pdf_prints_the_view(viewer, tmp_path):
    response = viewer.get(f"/report/overview.pdf{FILTERS}")
    _attachment(response, ".pdf")
    assert response.data.startswith(b"%PDF")
    text, pages = _pdf_text(response.data, tmp_path)
    for words in ("Overview", "(UA)", "Delayed 15+ min by airline", "weekday × hour"):
        assert words in text
    assert 2 <= pages <= 6  # the KPIs and six charts, two or so to a page


@NEEDS_PDF_TOOLS
def test_predict_pdf_prints_the_answer(client, tmp_path):
    response = client.get("/report/predict.pdf?carrier=DL&hour=8")
    _attachment(response, ".pdf")
    text, pages = _pdf_text(response.data, tmp_path)
    assert "one prediction" in text and "Airline" in text
    assert "chance of: delayed 15+ min" in text.lower()
    assert "What if" in text
    assert 1 <= pages <= 3
