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

# PostgreSQL's server programs for tests/scale (a throwaway cluster per run, tests/postgres.py).
# Debian's package starts a system-wide server when installed; a policy-rc.d (only while
# installing, and only when there is none) keeps any service from starting.
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; }
if ! have_postgres && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  echo "[test] installing postgresql with apt-get (no service is started)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  POLICY=/usr/sbin/policy-rc.d; OWN_POLICY=""
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod 755 "$POLICY" && OWN_POLICY=1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null ||
    echo "[test] postgresql could not be installed: tests/scale will say so" >&2
  [ -z "$OWN_POLICY" ] || $SUDO rm -f "$POLICY"
fi

"$VENV/bin/python" -m ruff check --quiet . || { echo "[test] ruff found problems" >&2; exit 1; }
"$VENV/bin/python" -m pytest --headless "$@"
