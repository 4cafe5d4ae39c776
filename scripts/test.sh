#!/usr/bin/env bash
# The test command (`npm test`): typecheck, lint, unit tests, then integration tests on the real
# local stack (OpenSearch + moto), which this script starts if it is not running and stops again
# afterwards if it started it (STACK_KEEP=1 leaves it running).
#   bash scripts/test.sh            all of it
#   bash scripts/test.sh unit       typecheck, lint (code, Dockerfile, compose file), unit and infra tests
#   bash scripts/test.sh infra      the CDK app's tests only
#   bash scripts/test.sh integration  integration tests only
#   bash scripts/test.sh node 24    unit and integration tests on Node 24 (fetched by scripts/tools.sh)
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
  # Checked statically only: no container engine runs here (scripts/tools.sh installs the tools).
  echo "test: lint Dockerfile (hadolint)"; "$(bash scripts/tools.sh hadolint)" Dockerfile
  echo "test: validate docker-compose.yml (docker-compose config)"
  "$(bash scripts/tools.sh docker-compose)" -f docker-compose.yml --profile demo config -q
}

run_unit() {
  local tz
  for tz in UTC Pacific/Chatham; do
    echo "test: unit (TZ=$tz)"
    # shellcheck disable=SC2046
    TZ=$tz node --import tsx --test --test-reporter=spec $(tests test/unit)
  done
}

# The CDK app (infra/, its own package.json): installed when its lock changed, then typechecked,
# synthesised offline and its template asserted.
run_infra() {
  echo "test: infra (CDK synth and template assertions)"
  if [ ! infra/node_modules/.package-lock.json -nt infra/package-lock.json ]; then
    npm ci --prefix infra --no-audit --no-fund
  fi
  npx tsc -p infra/tsconfig.json --noEmit
  (cd infra && node --import tsx --test --test-reporter=spec test/*.test.ts)
}

# Unit and integration tests again on the official Node MAJOR binary (the image's Node), put first
# on PATH: the machine's Node 20 stays the default, and the image must pass too.
run_on_node() {
  local bin
  bin=$(bash scripts/tools.sh node "$1")
  PATH="$(dirname "$bin"):$PATH"
  export PATH
  echo "test: on Node $(node --version)"
  run_unit
  run_integration
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
  # The report --html test opens the page in a headless Chromium, installed here (Debian's package,
  # as root); where that cannot be, the test skips and says why.
  if CHROMIUM=$(bash scripts/tools.sh chromium); then export CHROMIUM; else echo "test: no Chromium: the report --html browser test will skip"; fi
  rm -rf .cache/test-logs
  echo "test: integration (real OpenSearch and AWS emulator on 127.0.0.1; worker logs in .cache/test-logs/)"
  # One file at a time: the files share one OpenSearch node and one emulator. --test-force-exit:
  # a handle a file leaves open (seen once on Node 24 after a failed fault test: a socket to
  # OpenSearch) must not hold the suite until CI's time limit; the file's own results still count.
  local rc=0
  # shellcheck disable=SC2046
  node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-force-exit $(tests test/integration) || rc=$?
  # Whatever the tests did, the node and the emulator must hold nothing they made.
  echo "test: nothing left behind"
  node --import tsx --test --test-reporter=spec test/end/node-left-clean.test.ts || rc=1
  return "$rc"
}

case "$what" in
  all) run_static; run_unit; run_infra; run_integration ;;
  unit) run_static; run_unit; run_infra ;;
  infra) run_infra ;;
  node) run_on_node "${2:?usage: $0 node 22|24}" ;;
  integration) run_integration ;;
  *) echo "usage: $0 [all|unit|infra|integration|node MAJOR]" >&2; exit 64 ;;
esac
