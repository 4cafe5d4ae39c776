# shellcheck shell=bash
# The secured OpenSearch node of the local stack: sourced by scripts/stack.sh (`up-secure`,
# `down-secure`, `status-secure`), which provides log/die, Java, the unpacked integ-test zip and
# the process helpers. The plain node is left exactly as it is; this one is a copy of it with the
# OpenSearch security plugin from Maven Central, its own directory, data and ports:
#
#   - TLS on HTTP and transport, from a CA this script makes with openssl (cached in
#     $SECURE_DIR, with the node's certificate for 127.0.0.1 / localhost);
#   - HTTP basic auth against the plugin's internal user database;
#   - two users with random passwords written to $SECURE_DIR/<user>.password (mode 600):
#     `admin` (all_access: what `setup` and the tests' checks use) and `log-indexer`, the
#     worker's least-privilege role (write to our indices, nothing else), as the README shows it.
#
# The data directory is recreated on every `up-secure`, so the security index always holds
# exactly the users and roles written here (the plugin loads them from its YAML files into an
# empty cluster: plugins.security.allow_default_init_securityindex).

readonly SECURITY_ARTIFACT="org.opensearch.plugin:opensearch-security:${OPENSEARCH_VERSION}.0:zip"
OPENSEARCH_SECURE_PORT=${OPENSEARCH_SECURE_PORT:-9201}
OPENSEARCH_SECURE_TRANSPORT_PORT=${OPENSEARCH_SECURE_TRANSPORT_PORT:-9301}
# The security index is set up after the node starts: give it longer than the plain node.
OPENSEARCH_SECURE_WAIT_SECONDS=${OPENSEARCH_SECURE_WAIT_SECONDS:-300}

init_secure_paths() {
  SECURE_DIR=$STACK_DIR/secure
  OSS_HOME=$STACK_DIR/opensearch-secure-$OPENSEARCH_VERSION
  OSS_DATA=$STACK_DIR/opensearch-secure-data
  OSS_TMP=$STACK_DIR/opensearch-secure-tmp
  OSS_PID=$STACK_DIR/opensearch-secure.pid
  OSS_LOG=$LOG_DIR/opensearch-secure.log
  OSS_URL=https://127.0.0.1:$OPENSEARCH_SECURE_PORT
}

oss_pattern() { printf '%s' "$OSS_HOME/"; }

# The plugin zip, fetched once with Maven like the node itself.
ensure_security_plugin_zip() {
  SECURITY_ZIP=$DOWNLOAD_DIR/opensearch-security-$OPENSEARCH_VERSION.0.zip
  [[ -s $SECURITY_ZIP ]] && return 0
  ensure_cmd mvn maven
  log "downloading the OpenSearch security plugin with Maven ($SECURITY_ARTIFACT)"
  mvn -q -B dependency:copy -Dartifact="$SECURITY_ARTIFACT" -DoutputDirectory="$DOWNLOAD_DIR" \
    >"$DOWNLOAD_DIR/maven-security.log" 2>&1 ||
    die "Maven could not fetch $SECURITY_ARTIFACT (see $DOWNLOAD_DIR/maven-security.log)"
  [[ -s $SECURITY_ZIP ]] || die "Maven did not produce $SECURITY_ZIP"
}

# A copy of the unpacked node with the plugin installed; done once, then cached.
ensure_secure_installed() {
  local tmp
  [[ -f $OSS_HOME/.installed ]] && return 0
  ensure_opensearch_installed
  ensure_security_plugin_zip
  log "installing the security plugin into $OSS_HOME"
  tmp=$STACK_DIR/.secure.$$
  rm -rf "$tmp" "$OSS_HOME"
  cp -a "$OS_HOME" "$tmp"
  rm -f "$tmp/.installed"
  JAVA_HOME=$JAVA_HOME_OS OPENSEARCH_JAVA_HOME=$JAVA_HOME_OS \
    "$tmp/bin/opensearch-plugin" install --batch "file://$SECURITY_ZIP" >"$LOG_DIR/security-plugin-install.log" 2>&1 ||
    die "the security plugin did not install (see $LOG_DIR/security-plugin-install.log)"
  mv "$tmp" "$OSS_HOME"
  touch "$OSS_HOME/.installed"
}

# CA, node certificate (SAN 127.0.0.1 and localhost), PKCS#8 key: made once, kept in $SECURE_DIR.
ensure_secure_certs() {
  local dir=$SECURE_DIR
  [[ -s $dir/node.pem && -s $dir/root-ca.pem ]] && return 0
  ensure_cmd openssl openssl
  log "making a test CA and the node's certificate in $dir (openssl)"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=aws-log-indexer test/CN=aws-log-indexer test CA" \
    -keyout "$dir/root-ca.key" -out "$dir/root-ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=aws-log-indexer test/CN=node" \
    -keyout "$dir/node-key.rsa" -out "$dir/node.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$dir/node.ext"
  openssl x509 -req -in "$dir/node.csr" -CA "$dir/root-ca.pem" -CAkey "$dir/root-ca.key" -CAcreateserial \
    -days 3650 -extfile "$dir/node.ext" -out "$dir/node.pem" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$dir/node-key.rsa" -out "$dir/node-key.pem"
  rm -f "$dir/node.csr" "$dir/node.ext" "$dir/node-key.rsa"
}

# A fresh random password for `user`, written to $SECURE_DIR/<user>.password; prints its bcrypt hash.
new_password_hash() {
  local user=$1 password
  password=$(openssl rand -base64 24 | tr -d '/+=' | cut -c1-24)Aa1!
  (umask 077 && printf '%s' "$password" >"$SECURE_DIR/$user.password")
  JAVA_HOME=$JAVA_HOME_OS OPENSEARCH_JAVA_HOME=$JAVA_HOME_OS \
    bash "$OSS_HOME/plugins/opensearch-security/tools/hash.sh" -p "$password" 2>/dev/null | tail -n 1
}

write_secure_config() {
  local sec=$OSS_HOME/config/opensearch-security admin_hash worker_hash
  mkdir -p "$OSS_HOME/config/certs"
  cp "$SECURE_DIR/root-ca.pem" "$SECURE_DIR/node.pem" "$SECURE_DIR/node-key.pem" "$OSS_HOME/config/certs/"
  chmod 600 "$OSS_HOME/config/certs/"*
  write_node_config "$OSS_HOME" "$OSS_DATA" "$OPENSEARCH_SECURE_PORT" "$OPENSEARCH_SECURE_TRANSPORT_PORT" secure
  cat >>"$OSS_HOME/config/opensearch.yml" <<EOF
plugins.security.ssl.transport.pemcert_filepath: certs/node.pem
plugins.security.ssl.transport.pemkey_filepath: certs/node-key.pem
plugins.security.ssl.transport.pemtrustedcas_filepath: certs/root-ca.pem
plugins.security.ssl.transport.enforce_hostname_verification: false
plugins.security.ssl.http.enabled: true
plugins.security.ssl.http.pemcert_filepath: certs/node.pem
plugins.security.ssl.http.pemkey_filepath: certs/node-key.pem
plugins.security.ssl.http.pemtrustedcas_filepath: certs/root-ca.pem
plugins.security.allow_default_init_securityindex: true
plugins.security.nodes_dn: ["CN=node,O=aws-log-indexer test"]
plugins.security.restapi.roles_enabled: ["all_access"]
EOF
  admin_hash=$(new_password_hash admin)
  worker_hash=$(new_password_hash log-indexer)
  [[ $admin_hash == \$2* && $worker_hash == \$2* ]] || die "the security plugin's hash.sh gave no bcrypt hash"
  cat >"$sec/internal_users.yml" <<EOF
_meta: { type: internalusers, config_version: 2 }
admin: { hash: "$admin_hash", backend_roles: [admin], description: "setup and test checks" }
log-indexer: { hash: "$worker_hash", description: "the worker: writes to its indices, nothing else" }
EOF
  # The worker's role, as README.md documents it ("A least-privilege role for the worker");
  # t-* are the integration tests' index prefixes.
  cat >"$sec/roles.yml" <<EOF
_meta: { type: roles, config_version: 2 }
log_indexer_worker:
  cluster_permissions: ["indices:data/write/bulk"]
  index_permissions:
    - index_patterns: ["vpcflowlogs-*", "cloudtrail-*", "aws-log-indexer-deadletter", "t-*"]
      allowed_actions: ["indices:data/write/index", "indices:data/write/bulk*", "indices:admin/create", "indices:admin/mapping/put", "indices:admin/get"]
EOF
  cat >"$sec/roles_mapping.yml" <<EOF
_meta: { type: rolesmapping, config_version: 2 }
all_access: { backend_roles: [admin] }
log_indexer_worker: { users: [log-indexer] }
EOF
}

start_secure_opensearch() {
  claim_start opensearch-secure "$OSS_PID" "$(oss_pattern)" "$OPENSEARCH_SECURE_PORT" OPENSEARCH_SECURE_PORT || return 0
  ensure_java
  ensure_secure_installed
  ensure_secure_certs
  rm -rf "$OSS_DATA"
  mkdir -p "$OSS_DATA" "$OSS_TMP" "$LOG_DIR"
  write_secure_config
  if is_root; then
    ensure_os_user
    chown -R "$OPENSEARCH_USER:" "$OSS_HOME" "$OSS_DATA" "$OSS_TMP"
    set_drop_root
  fi
  log "opensearch-secure: starting on https://127.0.0.1:$OPENSEARCH_SECURE_PORT (log $OSS_LOG)"
  printf '\n==== %s stack.sh up-secure ====\n' "$(date -u +%FT%TZ)" >>"$OSS_LOG"
  launch_node "$OSS_HOME" "$OSS_TMP" "$OSS_LOG" "$OSS_PID"
}

# Healthy: answers over TLS signed by our CA and lets the admin in.
secure_health_check() {
  curl -sf -o /dev/null --max-time 5 --cacert "$SECURE_DIR/root-ca.pem" \
    -u "admin:$(cat "$SECURE_DIR/admin.password" 2>/dev/null)" \
    "$OSS_URL/_cluster/health?wait_for_status=yellow&timeout=5s"
}

wait_secure() {
  local deadline=$((SECONDS + OPENSEARCH_SECURE_WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    if secure_health_check; then
      log "opensearch-secure: healthy ($OSS_URL; CA $SECURE_DIR/root-ca.pem; passwords in $SECURE_DIR/*.password)"
      return 0
    fi
    running_pid "$OSS_PID" "$(oss_pattern)" >/dev/null || { tail -n 30 "$OSS_LOG" >&2; die "opensearch-secure exited during start-up; see $OSS_LOG"; }
    sleep 1
  done
  tail -n 30 "$OSS_LOG" >&2 || true
  die "opensearch-secure did not become healthy within ${OPENSEARCH_SECURE_WAIT_SECONDS}s; see $OSS_LOG"
}

cmd_up_secure() {
  take_lock
  ensure_cmd curl curl
  start_secure_opensearch
  wait_secure
}

cmd_down_secure() {
  take_lock
  stop_service opensearch-secure "$OSS_PID" "$(oss_pattern)"
}

cmd_status_secure() {
  local pid
  if ! pid=$(running_pid "$OSS_PID" "$(oss_pattern)"); then
    log "opensearch-secure: not running"
    return 1
  fi
  secure_health_check || { log "opensearch-secure: running (pid $pid), NOT healthy"; return 1; }
  log "opensearch-secure: running (pid $pid), healthy"
}
