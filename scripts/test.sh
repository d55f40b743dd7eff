#!/usr/bin/env bash
# Run every test on a fresh machine: a venv with the test requirements, Chromium for the
# browser tests (Debian's apt when missing), then pytest. pytest's "no tests ran" (5) fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[test] creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

have_browser() {
  command -v chromedriver >/dev/null 2>&1 &&
    { command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; }
}
# pdftotext and pdfinfo (poppler-utils) read the PDF reports in the tests.
have_pdf_tools() { command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; }
if ! have_browser || ! have_pdf_tools; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing chromium, chromium-driver and poppler-utils with apt-get"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null
  else
    echo "[test] Chromium, chromedriver and pdftotext are needed for the tests; install them first" >&2
    exit 1
  fi
fi

# nginx checks deploy/nginx (nginx -t, and a live one in front of stand-in instances).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing nginx-light with apt-get (for the deploy/ checks)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
  fi
fi

"$VENV/bin/python" -m ruff check --quiet . || { echo "[test] ruff found problems" >&2; exit 1; }
"$VENV/bin/python" -m pytest --headless "$@"
