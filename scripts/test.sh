#!/usr/bin/env bash
# Installs everything and runs every check: generated files up to date, type-check, lint, and every
# package's tests in CI mode (store tests on SQLite and a real PostgreSQL started here).
# Ends with a plain "N passed, N failed" line.
source "$(dirname "$0")/bootstrap.sh"
source "$ROOT/scripts/postgres.sh"
trap stop_postgres EXIT
# Debian's Chromium for the end-to-end tests (Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium: installing from Debian packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# Prometheus for the metrics source's integration test (Debian package, started by the test on loopback).
source "$ROOT/test/prometheus/install.sh"
source "$ROOT/test/alertmanager/install.sh"
export CI=true
OUT="$ROOT/.tools/test-results"; rm -rf "$OUT"; mkdir -p "$OUT"
passed=0; failed=0
step() { # name, command...: a check that is not a jest run counts as one test
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAILED: $name"; fi
}
step "generated OpenAPI router is up to date" node scripts/generate-openapi-router.js --check
step "type-check" yarn tsc --noEmit
step "API and SQL reports are up to date" yarn build:api-reports --ci
step "lint" yarn backstage-cli repo lint
# The benchmark and load harnesses are not run here (minutes each), but every module they load must
# resolve: their --help loads them all and exits.
harnesses_load() {
  node test/bench/run.js --help >/dev/null && node test/load/run.js --help >/dev/null &&
    node test/bench/browser/run.js --help >/dev/null
}
step "benchmark and load harnesses load" harnesses_load
echo "== unit and integration tests"
yarn backstage-cli repo test --ci --json --outputFile="$OUT/jest.json" || true
if [ -f "$OUT/jest.json" ]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$OUT/jest.json")
  passed=$((passed+p)); failed=$((failed+f))
else
  echo "FAILED: jest wrote no results"; failed=$((failed+1))
fi
echo "== end-to-end tests (Chromium against the demo: fleet, backend, app)"
yarn playwright test -c test/e2e/playwright.config.ts || true
if [ -f "$OUT/e2e.json" ]; then
  read -r p f < <(node -e 'const s=require(process.argv[1]).stats; console.log(s.expected, s.unexpected + s.flaky)' "$OUT/e2e.json")
  passed=$((passed+p)); failed=$((failed+f))
else
  echo "FAILED: playwright wrote no results"; failed=$((failed+1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
