#!/usr/bin/env bash
# Local AWS (moto: S3/SNS/SQS, CloudWatch Logs, Firehose: every service on one port) + OpenSearch stack, without Docker.
#
#   bash scripts/stack.sh up|down|status|logs|reset
#
# Everything is installed into STACK_DIR (default <repo>/.stack, git-ignored):
#   OpenSearch from Maven Central (integ-test zip, plain HTTP, no auth), run as
#   an unprivileged system user (it refuses to run as root);
#   moto[server] from PyPI in a virtualenv, all AWS services on one port.
# Downloads are cached there, so `up` after `down` does not download again.
#
# Environment overrides (defaults in brackets):
#   STACK_DIR [<repo>/.stack, or /var/tmp/aws-log-indexer-stack-<hash> when the repo is private]      OPENSEARCH_PORT [9200]   MOTO_PORT [4566]
#   OPENSEARCH_TRANSPORT_PORT [9300]   OPENSEARCH_HEAP [512m]
#   OPENSEARCH_USER [aws-log-indexer-os]   OPENSEARCH_JAVA_HOME [auto: Java 17]
#   OPENSEARCH_WAIT_SECONDS [120]   MOTO_WAIT_SECONDS [60]   STOP_TIMEOUT [20]
#   PYTHON [python3]   LOG_LINES [100] (lines shown by `logs`)
#   OPENSEARCH_SECURE_PORT [9201]   OPENSEARCH_SECURE_TRANSPORT_PORT [9301]   OPENSEARCH_SECURE_WAIT_SECONDS [300] (the secured node,
#   `up-secure`: TLS, basic auth, least-privilege worker role; scripts/lib/secure-opensearch.sh)
set -euo pipefail

readonly OPENSEARCH_VERSION=2.19.3
readonly OPENSEARCH_ARTIFACT="org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip"
readonly MOTO_VERSION=5.2.5

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

# True when every directory from / down to $1 is searchable by others: the unprivileged
# OpenSearch user must reach its files.
others_can_reach() {
  local dir=$1
  while [[ -n $dir && $dir != / ]]; do
    [[ $(stat -c %A "$dir" 2>/dev/null) == ?????????[xt] ]] || return 1
    dir=$(dirname "$dir")
  done
}

# Default: .stack in the repo; when the repo sits under a private directory (e.g. /root), a
# directory in /var/tmp named after the repo path instead, so CI clones anywhere work.
if [[ -z ${STACK_DIR:-} ]]; then
  if others_can_reach "$REPO_ROOT"; then
    STACK_DIR=$REPO_ROOT/.stack
  else
    STACK_DIR=/var/tmp/aws-log-indexer-stack-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-8)
  fi
fi
OPENSEARCH_PORT=${OPENSEARCH_PORT:-9200}
OPENSEARCH_TRANSPORT_PORT=${OPENSEARCH_TRANSPORT_PORT:-9300}
OPENSEARCH_HEAP=${OPENSEARCH_HEAP:-512m}
OPENSEARCH_USER=${OPENSEARCH_USER:-aws-log-indexer-os}
OPENSEARCH_WAIT_SECONDS=${OPENSEARCH_WAIT_SECONDS:-120}
MOTO_PORT=${MOTO_PORT:-4566}
MOTO_WAIT_SECONDS=${MOTO_WAIT_SECONDS:-60}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
PYTHON=${PYTHON:-python3}
LOG_LINES=${LOG_LINES:-100}

# shellcheck source=lib/secure-opensearch.sh
source "$SCRIPT_DIR/lib/secure-opensearch.sh"

log() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: warning: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat >&2 <<EOF
usage: bash scripts/stack.sh up|down|status|logs|reset|stop-opensearch|start-opensearch|up-secure|down-secure|status-secure|secure-dir

  up      install (first time only) and start OpenSearch ${OPENSEARCH_VERSION} on 127.0.0.1:${OPENSEARCH_PORT}
          and moto ${MOTO_VERSION} (S3, SNS, SQS, CloudWatch Logs, Firehose …) on 127.0.0.1:${MOTO_PORT}; waits until both are healthy
  down    stop the processes started by 'up'
  status  show each service; exit 0 only if both are running and healthy
  logs    show the last ${LOG_LINES} lines of both logs (and follow them when run in a terminal)
  reset   down, delete the OpenSearch data, up
  stop-opensearch, start-opensearch   stop or start OpenSearch alone (the fault suite's outage);
          stop-opensearch fails when it finds nothing of its own to stop, or the port stays open
  up-secure, down-secure, status-secure, secure-dir   a second, secured node (TLS from a test CA, basic auth,
          a least-privilege worker user) on https://127.0.0.1:${OPENSEARCH_SECURE_PORT}; the tests that need it start it;
          secure-dir prints where its CA and the users' password files are
EOF
  exit 2
}

# Resolve all paths once STACK_DIR is known (made absolute so that pid checks
# and the OpenSearch config do not depend on the caller's working directory).
init_paths() {
  mkdir -p "$STACK_DIR"
  STACK_DIR=$(cd "$STACK_DIR" && pwd)
  DOWNLOAD_DIR=$STACK_DIR/downloads
  LOG_DIR=$STACK_DIR/logs
  OS_HOME=$STACK_DIR/opensearch-$OPENSEARCH_VERSION
  OS_DATA=$STACK_DIR/opensearch-data
  OS_TMP=$STACK_DIR/opensearch-tmp
  OS_PID=$STACK_DIR/opensearch.pid
  OS_LOG=$LOG_DIR/opensearch.log
  VENV=$STACK_DIR/venv
  MOTO_PID=$STACK_DIR/moto.pid
  MOTO_LOG=$LOG_DIR/moto.log
  OS_URL=http://127.0.0.1:$OPENSEARCH_PORT
  MOTO_URL=http://127.0.0.1:$MOTO_PORT
  init_secure_paths
}

# Serialise concurrent up/down/reset runs. fd 9 must not leak into the services.
take_lock() {
  exec 9>"$STACK_DIR/.lock"
  flock -w 600 9 || die "another 'stack.sh' is still running (lock $STACK_DIR/.lock)"
}

is_root() { [[ $EUID -eq 0 ]]; }

apt_updated=0
apt_install() {
  is_root || die "missing $* and not root: install it (apt-get install $*)"
  command -v apt-get >/dev/null || die "missing $* and no apt-get to install it"
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ensure_cmd COMMAND DEBIAN_PACKAGE
ensure_cmd() {
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

# --- process helpers ---------------------------------------------------------

# pid_alive_matching PID PATTERN: the pid exists and its command line contains PATTERN
# (guards against a stale pid file whose pid now belongs to another process).
pid_alive_matching() {
  local pid=$1 pattern=$2 cmdline
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$pattern"* ]]
}

# running_pid PIDFILE PATTERN: print the pid if the service is running
running_pid() {
  local pidfile=$1 pattern=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  pid_alive_matching "$pid" "$pattern" || return 1
  printf '%s\n' "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# claim_start NAME PIDFILE PATTERN PORT PORT_VARIABLE: fails (saying so) when NAME already runs
# from PIDFILE, so the caller has nothing to start; dies when PORT is held by a process this
# script did not start.
claim_start() {
  local name=$1 pidfile=$2 pattern=$3 port=$4 variable=$5 pid
  if pid=$(running_pid "$pidfile" "$pattern"); then
    log "$name: already running (pid $pid)"
    return 1
  fi
  rm -f "$pidfile"
  if port_in_use "$port"; then die "port $port is in use by a process this script did not start (set $variable)"; fi
}

# stop_service NAME PIDFILE PATTERN
stop_service() {
  local name=$1 pidfile=$2 pattern=$3 pid waited=0
  if [[ ! -f $pidfile ]]; then
    log "$name: not running (no pid file)"
    return 0
  fi
  pid=$(<"$pidfile")
  if ! pid_alive_matching "$pid" "$pattern"; then
    log "$name: not running (stale pid file, pid ${pid:-?} is not ours)"
    rm -f "$pidfile"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive_matching "$pid" "$pattern"; do
    if ((waited >= STOP_TIMEOUT)); then
      warn "$name: pid $pid still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$pidfile"
  log "$name: stopped"
}

# --- OpenSearch --------------------------------------------------------------

os_pattern() { printf '%s' "$OS_HOME/"; }

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9.]*\).*/\1/p' | sed 's/^1\.//; s/\..*//' | head -n1
}

# OpenSearch 2.19 needs Java 11..23 (Java 24+ removed the SecurityManager it uses);
# prefer 17, which it is tested with.
java_ok() {
  local major
  [[ -x $1/bin/java ]] || return 1
  major=$(java_major "$1/bin/java")
  [[ -n $major ]] && ((major >= 11 && major <= 23))
}

find_java_home() {
  local c java
  if [[ -n ${OPENSEARCH_JAVA_HOME:-} ]]; then
    java_ok "$OPENSEARCH_JAVA_HOME" || die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME is not a Java 11..23 home"
    printf '%s\n' "$OPENSEARCH_JAVA_HOME"
    return 0
  fi
  for c in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-17-* \
    /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/java-11-openjdk-*; do
    if java_ok "$c"; then
      printf '%s\n' "$c"
      return 0
    fi
  done
  if [[ -n ${JAVA_HOME:-} ]] && java_ok "$JAVA_HOME"; then
    printf '%s\n' "$JAVA_HOME"
    return 0
  fi
  if java=$(command -v java 2>/dev/null); then
    c=$(dirname "$(dirname "$(readlink -f "$java")")")
    if java_ok "$c"; then
      printf '%s\n' "$c"
      return 0
    fi
  fi
  return 1
}

ensure_java() {
  if ! JAVA_HOME_OS=$(find_java_home); then
    apt_install openjdk-17-jre-headless
    JAVA_HOME_OS=$(find_java_home) || die "no Java 11..23 found for OpenSearch (set OPENSEARCH_JAVA_HOME)"
  fi
}

ensure_opensearch_installed() {
  local zip=$DOWNLOAD_DIR/opensearch-$OPENSEARCH_VERSION.zip tmp
  [[ -f $OS_HOME/.installed ]] && return 0
  mkdir -p "$DOWNLOAD_DIR"
  if [[ ! -s $zip ]]; then
    ensure_cmd mvn maven
    log "downloading OpenSearch $OPENSEARCH_VERSION with Maven ($OPENSEARCH_ARTIFACT)"
    if ! mvn -q -B dependency:copy -Dartifact="$OPENSEARCH_ARTIFACT" -DoutputDirectory="$DOWNLOAD_DIR" \
      >"$DOWNLOAD_DIR/maven.log" 2>&1; then
      tail -n 40 "$DOWNLOAD_DIR/maven.log" >&2 || true
      die "Maven could not fetch $OPENSEARCH_ARTIFACT (see $DOWNLOAD_DIR/maven.log)"
    fi
    [[ -s $zip ]] || die "Maven did not produce $zip"
  fi
  ensure_cmd unzip unzip
  log "unpacking OpenSearch into $OS_HOME"
  tmp=$STACK_DIR/.unpack.$$
  rm -rf "$tmp" "$OS_HOME"
  mkdir -p "$tmp"
  if ! unzip -q "$zip" -d "$tmp"; then
    rm -rf "$tmp" "$zip"
    die "corrupt download $zip (deleted; run 'up' again)"
  fi
  [[ -x $tmp/opensearch-$OPENSEARCH_VERSION/bin/opensearch ]] || die "unexpected zip layout in $zip"
  mv "$tmp/opensearch-$OPENSEARCH_VERSION" "$OS_HOME"
  rmdir "$tmp"
  touch "$OS_HOME/.installed"
}

ensure_os_user() {
  if ! id -u "$OPENSEARCH_USER" >/dev/null 2>&1; then
    log "creating system user $OPENSEARCH_USER (OpenSearch refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$OPENSEARCH_USER"
  fi
}

# drop_root: command prefix that runs the rest as the OpenSearch user (setpriv execs in
# place, no extra process); empty when not root.
drop_root=()
set_drop_root() {
  drop_root=()
  if is_root; then
    drop_root=(setpriv --reuid="$OPENSEARCH_USER" --regid="$(id -g "$OPENSEARCH_USER")" --init-groups --)
  fi
}

# write_node_config HOME DATA HTTP_PORT TRANSPORT_PORT NAME: opensearch.yml and heap of one
# single node (the secured node appends its security settings).
write_node_config() {
  local home=$1 data=$2 http=$3 transport=$4 name=$5
  cat >"$home/config/opensearch.yml" <<EOF
# Written by scripts/stack.sh on every start; edit the script, not this file.
cluster.name: aws-log-indexer-$name
node.name: $name-1
path.data: $data
path.logs: $home/logs
network.host: 127.0.0.1
http.port: $http
transport.port: $transport
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  mkdir -p "$home/config/jvm.options.d"
  printf -- '-Xms%s\n-Xmx%s\n' "$OPENSEARCH_HEAP" "$OPENSEARCH_HEAP" >"$home/config/jvm.options.d/heap.options"
}

write_opensearch_config() {
  write_node_config "$OS_HOME" "$OS_DATA" "$OPENSEARCH_PORT" "$OPENSEARCH_TRANSPORT_PORT" local
}

# launch_node HOME TMPDIR LOGFILE PIDFILE: starts bin/opensearch of HOME in the background.
# setsid: own session, so signals to the caller's terminal / process group do not reach it.
# setsid, setpriv and env all exec in place, so $! is the java pid.
launch_node() {
  local home=$1 tmpdir=$2 logfile=$3 pidfile=$4
  setsid "${drop_root[@]}" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 HOME="$home" JAVA_HOME="$JAVA_HOME_OS" OPENSEARCH_JAVA_HOME="$JAVA_HOME_OS" \
    OPENSEARCH_TMPDIR="$tmpdir" OPENSEARCH_JAVA_OPTS="${OPENSEARCH_JAVA_OPTS:-}" \
    "$home/bin/opensearch" >>"$logfile" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
}

start_opensearch() {
  claim_start opensearch "$OS_PID" "$(os_pattern)" "$OPENSEARCH_PORT" OPENSEARCH_PORT || return 0
  ensure_java
  ensure_opensearch_installed
  mkdir -p "$OS_DATA" "$OS_TMP" "$LOG_DIR"
  write_opensearch_config
  if is_root; then
    ensure_os_user
    chown -R "$OPENSEARCH_USER:" "$OS_HOME" "$OS_DATA" "$OS_TMP"
    set_drop_root
    # shellcheck disable=SC2016 # $1/$2 are expanded by the inner sh
    "${drop_root[@]}" sh -c 'test -r "$1" && test -w "$2"' _ "$OS_HOME/config/opensearch.yml" "$OS_DATA" ||
      die "user $OPENSEARCH_USER cannot reach $STACK_DIR (a parent directory is not searchable by others?); set STACK_DIR to a path it can reach, e.g. STACK_DIR=/var/tmp/aws-log-indexer-stack"
  fi
  log "opensearch: starting on 127.0.0.1:$OPENSEARCH_PORT (java $JAVA_HOME_OS, heap $OPENSEARCH_HEAP, log $OS_LOG)"
  printf '\n==== %s stack.sh up ====\n' "$(date -u +%FT%TZ)" >>"$OS_LOG"
  launch_node "$OS_HOME" "$OS_TMP" "$OS_LOG" "$OS_PID"
}

# wait_http NAME URL SECONDS PIDFILE PATTERN LOGFILE
wait_http() {
  local name=$1 url=$2 seconds=$3 pidfile=$4 pattern=$5 logfile=$6 deadline
  deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if curl -sf -o /dev/null --max-time 5 "$url"; then
      log "$name: healthy ($url)"
      return 0
    fi
    if ! running_pid "$pidfile" "$pattern" >/dev/null; then
      rm -f "$pidfile"
      tail -n 30 "$logfile" >&2 || true
      die "$name exited during start-up; see $logfile"
    fi
    sleep 1
  done
  tail -n 30 "$logfile" >&2 || true
  die "$name did not become healthy within ${seconds}s ($url); see $logfile"
}

os_health_url() { printf '%s/_cluster/health?wait_for_status=yellow&timeout=5s' "$OS_URL"; }

# --- moto --------------------------------------------------------------------

moto_pattern() { printf '%s' "$VENV/bin/moto_server"; }

venv_moto_version() {
  [[ -x $VENV/bin/python ]] || return 1
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null
}

ensure_moto_installed() {
  local have
  if have=$(venv_moto_version) && [[ $have == "$MOTO_VERSION" && -x $VENV/bin/moto_server ]]; then
    return 0
  fi
  command -v "$PYTHON" >/dev/null || apt_install python3
  if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  if ! [[ -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "creating virtualenv $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" ||
    die "pip could not install moto[server]==$MOTO_VERSION"
}

start_moto() {
  claim_start moto "$MOTO_PID" "$(moto_pattern)" "$MOTO_PORT" MOTO_PORT || return 0
  ensure_moto_installed
  mkdir -p "$LOG_DIR"
  log "moto: starting on 127.0.0.1:$MOTO_PORT (log $MOTO_LOG)"
  printf '\n==== %s stack.sh up ====\n' "$(date -u +%FT%TZ)" >>"$MOTO_LOG"
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >>"$MOTO_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$MOTO_PID"
}

# --- commands ----------------------------------------------------------------

cmd_up() {
  take_lock
  ensure_cmd curl curl
  # OpenSearch boots (tens of seconds) while moto installs/starts.
  start_opensearch
  start_moto
  wait_http moto "$MOTO_URL/moto-api/" "$MOTO_WAIT_SECONDS" "$MOTO_PID" "$(moto_pattern)" "$MOTO_LOG"
  wait_http opensearch "$(os_health_url)" "$OPENSEARCH_WAIT_SECONDS" "$OS_PID" "$(os_pattern)" "$OS_LOG"
  log "up: OpenSearch $OS_URL | moto (S3, SNS, SQS, CloudWatch Logs, Firehose …) $MOTO_URL (any access key, region e.g. us-east-1)"
}

cmd_down() {
  take_lock
  stop_service moto "$MOTO_PID" "$(moto_pattern)"
  stop_service opensearch "$OS_PID" "$(os_pattern)"
}

# service_status NAME PIDFILE PATTERN URL -> 0 if running and healthy
service_status() {
  local name=$1 pidfile=$2 pattern=$3 url=$4 pid
  if ! pid=$(running_pid "$pidfile" "$pattern"); then
    log "$name: not running"
    return 1
  fi
  if curl -sf -o /dev/null --max-time 5 "$url"; then
    log "$name: running (pid $pid), healthy"
    return 0
  fi
  log "$name: running (pid $pid), NOT healthy ($url)"
  return 1
}

cmd_status() {
  local rc=0
  service_status opensearch "$OS_PID" "$(os_pattern)" "$(os_health_url)" || rc=1
  service_status moto "$MOTO_PID" "$(moto_pattern)" "$MOTO_URL/moto-api/" || rc=1
  return "$rc"
}

cmd_logs() {
  local files=() f
  for f in "$OS_LOG" "$MOTO_LOG"; do
    [[ -f $f ]] && files+=("$f")
  done
  ((${#files[@]} > 0)) || die "no logs yet in $LOG_DIR"
  if [[ -t 1 ]]; then
    exec tail -n "$LOG_LINES" -F "${files[@]}"
  fi
  tail -n "$LOG_LINES" "${files[@]}"
}

# The fault suite stops and restarts OpenSearch alone, as an outage of the cluster would. Unlike
# `down`, this fails when there is nothing of ours to stop, and checks that the port is closed
# after: an outage test that stopped nothing would pass for the wrong reason.
cmd_stop_opensearch() {
  local pid answering=''
  take_lock
  if ! pid=$(running_pid "$OS_PID" "$(os_pattern)"); then
    port_in_use "$OPENSEARCH_PORT" && answering=", yet port $OPENSEARCH_PORT is open (a process this script did not start)"
    [[ -f $OS_PID ]] && die "opensearch: stale pid file $OS_PID (pid $(<"$OS_PID") is not our OpenSearch): nothing stopped$answering"
    die "opensearch: not running (no pid file $OS_PID): nothing stopped$answering"
  fi
  stop_service opensearch "$OS_PID" "$(os_pattern)"
  if port_in_use "$OPENSEARCH_PORT"; then die "opensearch: pid $pid stopped, but port $OPENSEARCH_PORT still accepts connections"; fi
}

cmd_start_opensearch() {
  take_lock
  ensure_cmd curl curl
  start_opensearch
  wait_http opensearch "$(os_health_url)" "$OPENSEARCH_WAIT_SECONDS" "$OS_PID" "$(os_pattern)" "$OS_LOG"
}

cmd_reset() {
  cmd_down
  log "deleting OpenSearch data $OS_DATA"
  rm -rf "$OS_DATA"
  cmd_up
}

main() {
  [[ $# -eq 1 ]] || usage
  case $1 in
    up | down | status | logs | reset | stop-opensearch | start-opensearch | up-secure | down-secure | status-secure | secure-dir) ;;
    *) usage ;;
  esac
  init_paths
  case $1 in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    logs) cmd_logs ;;
    reset) cmd_reset ;;
    stop-opensearch) cmd_stop_opensearch ;;
    start-opensearch) cmd_start_opensearch ;;
    up-secure) cmd_up_secure ;;
    down-secure) cmd_down_secure ;;
    status-secure) cmd_status_secure ;;
    secure-dir) printf '%s\n' "$SECURE_DIR" ;;
  esac
}

main "$@"
