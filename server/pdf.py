"""HTML to PDF with headless Chromium, the browser the tests already use.

One print at a time per process: a Chromium takes about a core and 200 MB for a second or
two, so a second request waits briefly, then is told to try again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_S = 60
WAIT_FOR_TURN_S = 20
# Virtual time lets the report's scripts draw every chart before the page is printed.
DRAW_BUDGET_MS = 15000
_one_at_a_time = threading.BoundedSemaphore(1)


class PdfUnavailable(RuntimeError):
    """No PDF can be made here now; the message says why in the user's words."""


def find_chromium(configured: str = "") -> str | None:
    """The configured browser if it exists, else the first of BROWSERS on the PATH."""
    if configured:
        return configured if Path(configured).is_file() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _command(browser: str, page: Path, out: Path, profile: Path) -> list[str]:
    command = [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-pdf-header-footer",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={DRAW_BUDGET_MS}",
        "--window-size=794,1123",
        f"--print-to-pdf={out}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--no-sandbox")  # Chromium refuses to run as root with it
    return [*command, page.as_uri()]


def html_to_pdf(html: str, configured: str = "") -> bytes:
    """The page printed to A4 by headless Chromium; PdfUnavailable when it cannot be."""
    browser = find_chromium(configured)
    if browser is None:
        raise PdfUnavailable(
            "PDF reports need Chromium on the server (apt-get install chromium, or "
            "FLIGHTDECK_CHROMIUM=/path/to/chrome); the HTML report works without it"
        )
    if not _one_at_a_time.acquire(timeout=WAIT_FOR_TURN_S):
        raise PdfUnavailable("another PDF is being printed; try again in a moment")
    try:
        return _print(browser, html)
    finally:
        _one_at_a_time.release()


def _print(browser: str, html: str) -> bytes:
    # Everything Chromium writes (profile, temp files) stays in this folder and goes with it.
    with tempfile.TemporaryDirectory(prefix="flightdeck-pdf-") as folder:
        root = Path(folder)
        page, out = root / "report.html", root / "report.pdf"
        page.write_text(html, encoding="utf-8")
        env = {**os.environ, "TMPDIR": folder, "HOME": folder}
        try:
            subprocess.run(
                _command(browser, page, out, root / "profile"),
                env=env,
                capture_output=True,
                timeout=PRINT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable("printing the PDF took too long") from None
        if not out.is_file() or out.stat().st_size == 0:
            raise PdfUnavailable("Chromium did not print the PDF")
        return out.read_bytes()
