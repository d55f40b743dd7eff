#!/usr/bin/env bash
# Rebuild assets/plotly-flightdeck.min.js: plotly.js with only the trace types Flightdeck
# draws (scripts/plotly_bundle/entry.js), from the npm packages pinned in
# scripts/plotly_bundle/package-lock.json, checked against the sha256 in
# scripts/plotly_bundle/SHA256SUMS. Needs node and npm (the npm registry only).
#
#   scripts/build_plotly_bundle.sh            build, check, copy into assets/
#   scripts/build_plotly_bundle.sh --update   after changing entry.js: record the new sum
set -euo pipefail
cd "$(dirname "$0")/.."

SOURCE=scripts/plotly_bundle
OUT=assets/plotly-flightdeck.min.js
update=false
[ "${1:-}" = "--update" ] && update=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$SOURCE"/package.json "$SOURCE"/package-lock.json "$SOURCE"/entry.js "$SOURCE"/build.mjs "$work"/
echo "[plotly] installing the pinned packages (npm ci)"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "[plotly] bundling $(cd "$work" && node -p "require('plotly.js/package.json').version")"
(cd "$work" && node build.mjs bundle.min.js)

actual="$(sha256sum "$work/bundle.min.js" | cut -d' ' -f1)"
if $update; then
  echo "$actual  $OUT" >"$SOURCE/SHA256SUMS"
  echo "[plotly] recorded sha256 $actual"
else
  expected="$(cut -d' ' -f1 "$SOURCE/SHA256SUMS")"
  if [ "$actual" != "$expected" ]; then
    echo "[plotly] sha256 $actual is not the recorded $expected" >&2
    echo "[plotly] (changed entry.js on purpose? run with --update)" >&2
    exit 1
  fi
fi
cp "$work/bundle.min.js" "$OUT"
cp "$work/node_modules/plotly.js/LICENSE" assets/plotly-flightdeck.LICENSE
echo "[plotly] $OUT: $(wc -c <"$OUT") bytes, sha256 $actual"
