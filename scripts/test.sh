#!/usr/bin/env bash
# The test command (`npm test`): typecheck, lint, unit tests, then integration tests on the real
# local stack (OpenSearch + moto), which this script starts if it is not running and stops again
# afterwards if it started it (STACK_KEEP=1 leaves it running).
#   bash scripts/test.sh            all of it
#   bash scripts/test.sh unit       typecheck, lint and unit tests only
#   bash scripts/test.sh integration  integration tests only
# Unit tests run twice: under UTC and under TZ=Pacific/Chatham (UTC+12:45/+13:45), so that code
# taking a date in local time fails. Worker logs of the integration tests go to .cache/test-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

die() { printf 'test: error: %s\n' "$*" >&2; exit 1; }
[ -d node_modules ] || die "node_modules is missing: run npm ci --no-audit --no-fund first"

tests() { find "$1" -name '*.test.ts' | sort; }

run_static() {
  echo "test: typecheck"; npx tsc -p tsconfig.json --noEmit
  echo "test: lint"; npx eslint .
}

run_unit() {
  local tz
  for tz in UTC Pacific/Chatham; do
    echo "test: unit (TZ=$tz)"
    # shellcheck disable=SC2046
    TZ=$tz node --import tsx --test --test-reporter=spec $(tests test/unit)
  done
}

run_integration() {
  started_here=0
  if ! bash scripts/stack.sh status >/dev/null 2>&1; then
    bash scripts/stack.sh up
    started_here=1
  fi
  if [ "$started_here" = 1 ] && [ "${STACK_KEEP:-0}" != 1 ]; then trap 'bash scripts/stack.sh down' EXIT; fi
  # Worker processes run the compiled CLI: build it from the sources under test.
  npm run --silent build
  rm -rf .cache/test-logs
  echo "test: integration (real OpenSearch and AWS emulator on 127.0.0.1; worker logs in .cache/test-logs/)"
  # One file at a time: the files share one OpenSearch node and one emulator.
  local rc=0
  # shellcheck disable=SC2046
  node --import tsx --test --test-reporter=spec --test-concurrency=1 $(tests test/integration) || rc=$?
  # Whatever the tests did, the node and the emulator must hold nothing they made.
  echo "test: nothing left behind"
  node --import tsx --test --test-reporter=spec test/end/node-left-clean.test.ts || rc=1
  return "$rc"
}

case "$what" in
  all) run_static; run_unit; run_integration ;;
  unit) run_static; run_unit ;;
  integration) run_integration ;;
  *) echo "usage: $0 [all|unit|integration]" >&2; exit 64 ;;
esac
