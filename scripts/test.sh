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

# redis-server for tests/scale (Celery jobs): the tests start their own on loopback, so the
# package's service is kept from starting (policy-rc.d while installing) and at boot.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing redis-server with apt-get (its service is not started)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    POLICY=/usr/sbin/policy-rc.d; ADDED_POLICY=""; STATUS=0
    if [ ! -e "$POLICY" ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && ADDED_POLICY=1
    fi
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null; } || STATUS=$?
    [ -z "$ADDED_POLICY" ] || $SUDO rm -f "$POLICY"
    [ "$STATUS" -eq 0 ] || { echo "[test] apt-get could not install redis-server" >&2; exit 1; }
    if [ -d /run/systemd/system ]; then $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
  else
    echo "[test] redis-server is missing: tests/scale will skip (install redis-server)" >&2
  fi
fi

"$VENV/bin/python" -m ruff check --quiet . || { echo "[test] ruff found problems" >&2; exit 1; }
"$VENV/bin/python" -m pytest --headless "$@"
