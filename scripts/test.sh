#!/usr/bin/env bash
# Run every test on a fresh machine: a venv with the test requirements, the Debian packages
# the tests drive (apt-get, when missing), then pytest. pytest's "no tests ran" (5) fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[test] creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have_browser() { have chromedriver && { have chromium || have google-chrome; }; }
# pdftotext and pdfinfo (poppler-utils) read the PDF reports in the tests.
have_pdf_tools() { have pdftotext && have pdfinfo; }
# tests/scale starts its own servers on loopback: a throwaway PostgreSQL cluster
# (tests/postgres.py), redis-server (Celery jobs), nginx (deploy/ and two instances).
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || have initdb; }

missing=()
have_browser || missing+=(chromium chromium-driver)
have_pdf_tools || missing+=(poppler-utils)
have_postgres || missing+=(postgresql)
have redis-server || missing+=(redis-server)
have nginx || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing ${missing[*]} with apt-get (no service is started)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    # Debian starts a server's system service when it installs it; a policy-rc.d (only
    # while installing, and only when there is none) keeps any from starting.
    POLICY=/usr/sbin/policy-rc.d; OWN_POLICY=""
    if [ ! -e "$POLICY" ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod 755 "$POLICY" && OWN_POLICY=1
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || status=$?
    [ -z "$OWN_POLICY" ] || $SUDO rm -f "$POLICY"
    # Nor at boot: the tests start their own servers on loopback.
    if [ -d /run/systemd/system ]; then
      for package in "${missing[@]}"; do
        case "$package" in postgresql | redis-server) service="$package" ;; nginx-light) service=nginx ;; *) continue ;; esac
        $SUDO systemctl disable --now --quiet "$service" 2>/dev/null || true
      done
    fi
    [ "${status:-0}" -eq 0 ] || { echo "[test] apt-get could not install ${missing[*]}" >&2; exit 1; }
  elif ! have_browser || ! have_pdf_tools; then
    echo "[test] Chromium, chromedriver and pdftotext are needed for the tests; install them first" >&2
    exit 1
  else
    echo "[test] not installed: ${missing[*]}; tests/scale says which of its tests skip and why" >&2
  fi
fi

"$VENV/bin/python" -m ruff check --quiet . || { echo "[test] ruff found problems" >&2; exit 1; }
"$VENV/bin/python" -m pytest --headless "$@"
