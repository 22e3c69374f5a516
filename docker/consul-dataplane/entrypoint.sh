#!/bin/sh
# Entrypoint of the sidecar / ingress gateway image: consul-dataplane and the Envoy it manages (agentless: no Consul
# client agent runs in the task; the dataplane talks to the servers' gRPC port).
#
# ECS injects the rendered dataplane configuration and the secrets as environment variables, each taken from SSM
# Parameter Store by the task definition's `secrets` (valueFrom = the parameter). The parameter holds what every
# task of a service shares; what belongs to one task (its proxy's service ID, the node it is registered on) is
# added here from the ECS task metadata endpoint. consul-dataplane gives its DP_* environment variables precedence
# over the -config-file, which is how the per-task values and the secrets reach it.
#
#   CONSUL_CONFIG            required  rendered consul-dataplane JSON       -> $DATAPLANE_DIR/config.json
#   CONSUL_CONFIG_PARAMETER  optional  name of that parameter, only quoted in error messages
#   CONSUL_CA_CERT           optional  PEM CA certificate of the servers     -> $DATAPLANE_DIR/tls/ca.pem (DP_CA_CERTS)
#   CONSUL_DATAPLANE_TOKEN   optional  ACL token of this service's proxy     -> DP_CREDENTIAL_STATIC_TOKEN
#   CONSUL_BOOTSTRAP_TOKEN   optional  used when CONSUL_DATAPLANE_TOKEN is not set (management token: avoid)
#   CONSUL_SERVICE_NAME      required unless CONSUL_PROXY_SERVICE_ID is set: the Consul service name
#   CONSUL_PROXY_KIND        optional  connect-proxy (default), ingress-gateway or mesh-gateway
#   CONSUL_PROXY_SERVICE_ID  optional  default <service>-<taskId>-sidecar-proxy (connect-proxy) or <service>-<taskId>
#   CONSUL_NODE_NAME         optional  default: the ECS cluster name (the mesh's synthetic node per cluster)
#   CONSUL_CONFIG_HASH       optional  hash of the rendered configuration, only logged
#   CONSUL_DATAPLANE_DIR     optional  default /consul/dataplane
#   CONSUL_HTTP_ADDR         required  the servers' HTTP API (https://<servers>:8501 with TLS), read before the start
#   CONSUL_REGISTRATION_TIMEOUT_SECONDS  optional  default 120: how long to wait for the proxy's registration
#   ECS_CONTAINER_METADATA_URI_V4      set by ECS; read for the task ID and the cluster when they are needed
#
# Secrets never reach the logs or a command line: tracing stays off, values go through the `printf` and `export`
# builtins only, and error messages name variables, never their values.

set -eu
set +x
umask 077

DATAPLANE_DIR="${CONSUL_DATAPLANE_DIR:-/consul/dataplane}"
TLS_DIR="$DATAPLANE_DIR/tls"

log() {
  printf '%s consul-dataplane-entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

# write_file PATH CONTENT: mode 0600, written to a temporary file and renamed so no reader sees half of it.
write_file() {
  tmp="$1.tmp.$$"
  printf '%s\n' "$2" >"$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$1"
}

# json_string FIELD JSON: the string value of a top-level field of a one-line JSON document.
json_string() {
  printf '%s' "$2" | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p"
}

# ECS task metadata v4: {"Cluster": "<arn or name>", "TaskARN": "arn:aws:ecs:<region>:<account>:task/<cluster>/<id>", ...}
task_metadata() {
  [ -n "${ECS_CONTAINER_METADATA_URI_V4:-}" ] ||
    fail "ECS_CONTAINER_METADATA_URI_V4 is not set: set CONSUL_PROXY_SERVICE_ID and CONSUL_NODE_NAME outside ECS"
  answer="$(curl -fsS --max-time 5 --retry 5 --retry-connrefused --retry-delay 1 "$ECS_CONTAINER_METADATA_URI_V4/task")" ||
    fail "could not read the task metadata from $ECS_CONTAINER_METADATA_URI_V4/task"
  printf '%s' "$answer" | tr -d '\n'
}

is_name() {
  case "$1" in
    '' | *[!0-9A-Za-z._-]*) return 1 ;;
    *) return 0 ;;
  esac
}

[ -d "$DATAPLANE_DIR" ] && [ -w "$DATAPLANE_DIR" ] || fail "$DATAPLANE_DIR must be a directory writable by $(id -un)"

# --- the rendered configuration -------------------------------------------------------------------------------
if [ -z "${CONSUL_CONFIG:-}" ]; then
  fail "CONSUL_CONFIG is empty: the task definition must inject the rendered dataplane configuration from SSM as a secret${CONSUL_CONFIG_PARAMETER:+ (parameter $CONSUL_CONFIG_PARAMETER)}"
fi
case "$CONSUL_CONFIG" in
  '{'*) ;;
  *) fail "CONSUL_CONFIG is not a JSON object (consul-dataplane reads its -config-file as JSON)" ;;
esac
write_file "$DATAPLANE_DIR/config.json" "$CONSUL_CONFIG"

# --- which proxy this task runs, and on which node it is registered -------------------------------------------
proxy_id="${CONSUL_PROXY_SERVICE_ID:-}"
node_name="${CONSUL_NODE_NAME:-}"
if [ -z "$proxy_id" ] || [ -z "$node_name" ]; then
  metadata="$(task_metadata)"
  task_arn="$(json_string TaskARN "$metadata")"
  cluster="$(json_string Cluster "$metadata")"
  [ -n "$task_arn" ] && [ -n "$cluster" ] || fail "the task metadata has no TaskARN or Cluster"
  task_id="${task_arn##*/}"
  if [ -z "$proxy_id" ]; then
    service="${CONSUL_SERVICE_NAME:-}"
    is_name "$service" || fail "CONSUL_SERVICE_NAME must name the service (letters, digits, . _ -) when CONSUL_PROXY_SERVICE_ID is not set"
    # The IDs the orchestrator registers for a task (service instance <service>-<taskId>, its sidecar
    # <service>-<taskId>-sidecar-proxy; a gateway registers as the instance itself).
    case "${CONSUL_PROXY_KIND:-connect-proxy}" in
      connect-proxy) proxy_id="$service-$task_id-sidecar-proxy" ;;
      ingress-gateway|mesh-gateway) proxy_id="$service-$task_id" ;;
      *) fail "CONSUL_PROXY_KIND must be connect-proxy, ingress-gateway or mesh-gateway" ;;
    esac
  fi
  # Cluster is an ARN on Fargate and may be a name elsewhere: the node is named after the cluster's name.
  node_name="${node_name:-${cluster##*/}}"
fi
is_name "$proxy_id" || fail "the proxy service ID may only contain letters, digits, . _ -"
is_name "$node_name" || fail "the node name may only contain letters, digits, . _ -"
export DP_PROXY_SERVICE_ID="$proxy_id"
export DP_SERVICE_NODE_NAME="$node_name"

# --- TLS: the CA that signed the servers' certificates --------------------------------------------------------
if [ -n "${CONSUL_CA_CERT:-}" ]; then
  mkdir -p "$TLS_DIR"
  write_file "$TLS_DIR/ca.pem" "$CONSUL_CA_CERT"
  export DP_CA_CERTS="$TLS_DIR/ca.pem"
fi

# --- ACL token ------------------------------------------------------------------------------------------------
# consul-dataplane takes a static token only as a value (flag, environment or config file), not as a file path;
# the environment keeps it off the command line, where every process of the task could read it.
if [ -n "${CONSUL_DATAPLANE_TOKEN:-}" ]; then
  export DP_CREDENTIAL_TYPE=static
  export DP_CREDENTIAL_STATIC_TOKEN="$CONSUL_DATAPLANE_TOKEN"
elif [ -n "${CONSUL_BOOTSTRAP_TOKEN:-}" ]; then
  log "warning: CONSUL_DATAPLANE_TOKEN is not set; the proxy uses the bootstrap (management) token"
  export DP_CREDENTIAL_TYPE=static
  export DP_CREDENTIAL_STATIC_TOKEN="$CONSUL_BOOTSTRAP_TOKEN"
fi

unset CONSUL_CONFIG CONSUL_CA_CERT CONSUL_DATAPLANE_TOKEN CONSUL_BOOTSTRAP_TOKEN

# --- wait until the proxy is registered -----------------------------------------------------------------------
# consul-dataplane asks the servers once, at start, for its proxy's Envoy bootstrap parameters
# (GetEnvoyBootstrapParams, pkg/consuldp/consul_dataplane.go) and exits when the proxy is not in the catalog: it does
# not retry. The orchestrator registers the proxy from the ECS Task State Change event that reports this container
# running (layers/domain/registration/task-facts.ts), so started at once it would nearly always ask too early, exit,
# and the task would be replaced again and again. consul-ecs orders the two with an init container (mesh-init
# registers, the dataplane `dependsOn` it SUCCESS); here the registration stays with the event path (one writer of
# the catalog, the version rule of DESIGN.md section 6) and this container waits for it: it is already running,
# which is what the event reports. Bounded (a lost event is repaired by the reconcile, every minute by default);
# the task definition's health check start period covers the wait. The catalog is read with the proxy's own token,
# whose service identity (or the gateway's policy) reads every node and service.
EXIT_NOT_REGISTERED=69 # EX_UNAVAILABLE (sysexits.h): the proxy's registration did not appear in time

[ -n "${CONSUL_HTTP_ADDR:-}" ] || fail "CONSUL_HTTP_ADDR is empty: the task definition must name the servers' HTTP API (https://<servers>:8501 with TLS)"
case "$CONSUL_HTTP_ADDR" in
  http://* | https://*) ;;
  *) fail "CONSUL_HTTP_ADDR must be an http:// or https:// URL" ;;
esac
registration_timeout="${CONSUL_REGISTRATION_TIMEOUT_SECONDS:-120}"
case "$registration_timeout" in
  '' | *[!0-9]*) fail "CONSUL_REGISTRATION_TIMEOUT_SECONDS must be a whole number of seconds" ;;
esac

catalog_body="$DATAPLANE_DIR/.registration.body"
catalog_headers="$DATAPLANE_DIR/.registration.headers"
# The proxy's services on its node, filtered to its ID (IDs are checked above: nothing in them needs URL-encoding).
catalog_url="${CONSUL_HTTP_ADDR%/}/v1/catalog/node-services/$DP_SERVICE_NODE_NAME?filter=ID%20%3D%3D%20%22$DP_PROXY_SERVICE_ID%22"

# catalog_get INDEX WAIT: one (blocking, when INDEX > 0) read of the catalog; prints the HTTP status, 000 when no
# answer came. The token goes to curl on its standard input (`-H @-`), never on its command line.
catalog_get() {
  url="$catalog_url"
  if [ "$1" -gt 0 ]; then url="$url&index=$1&wait=${2}s"; fi
  set -- --silent --connect-timeout 5 --max-time "$(($2 + 10))" -H @- -D "$catalog_headers" -o "$catalog_body" -w '%{http_code}'
  if [ -n "${DP_CA_CERTS:-}" ]; then set -- "$@" --cacert "$DP_CA_CERTS"; fi
  if [ -n "${DP_CREDENTIAL_STATIC_TOKEN:-}" ]; then
    printf 'X-Consul-Token: %s\n' "$DP_CREDENTIAL_STATIC_TOKEN" | curl "$@" "$url" 2>/dev/null || true
  else
    curl "$@" "$url" </dev/null 2>/dev/null || true
  fi
}

# The registered proxy is the one service the filter keeps: its ID is in the answer (Consul's JSON has no spaces,
# an emulator's may have some).
proxy_listed() {
  tr -d ' \t\r\n' <"$catalog_body" 2>/dev/null | grep -qF "\"ID\":\"$DP_PROXY_SERVICE_ID\""
}

started_at="$(date +%s)"
deadline=$((started_at + registration_timeout))
index=0
last_problem=
log "waiting up to ${registration_timeout}s for proxy $DP_PROXY_SERVICE_ID to be registered on node $DP_SERVICE_NODE_NAME (the orchestrator registers it once ECS reports this container running)"
while :; do
  now="$(date +%s)"
  remaining=$((deadline - now))
  wait_seconds=$((remaining < 30 ? remaining : 30))
  [ "$wait_seconds" -gt 0 ] || wait_seconds=1
  status="$(catalog_get "$index" "$wait_seconds")"
  problem=
  case "$status" in
    200)
      if proxy_listed; then
        break
      fi
      # Consul's blocking queries: the next read returns as soon as the node's services change (X-Consul-Index).
      next="$(sed -n 's/^[Xx]-[Cc]onsul-[Ii]ndex:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$catalog_headers" | head -n 1)"
      [ -n "$next" ] || next=0
      # An index that went back (a restored server) starts over; one that did not move (the wait timed out) waits
      # again; a pause in both keeps a server that does not block from being asked in a tight loop.
      if [ "$next" -lt "$index" ] || [ "$next" -eq 0 ]; then
        index=0
        sleep 1
      elif [ "$next" -eq "$index" ]; then
        sleep 1
      else
        index="$next"
      fi
      ;;
    401 | 403)
      # The token is refused (ACL not found): waiting changes nothing, and consul-dataplane's own call is refused the
      # same way; start it, so the container's log and exit carry the servers' own error.
      log "Consul refused the proxy's token (HTTP $status) reading node $DP_SERVICE_NODE_NAME: not waiting; consul-dataplane reports the cause"
      break
      ;;
    *)
      # No answer (servers starting, DNS not there yet) or a server error (no leader yet): keep trying.
      if [ "$status" = 000 ]; then problem="no answer from $CONSUL_HTTP_ADDR"; else problem="HTTP $status from $CONSUL_HTTP_ADDR"; fi
      index=0
      sleep 2
      ;;
  esac
  if [ -n "$problem" ] && [ "$problem" != "$last_problem" ]; then
    log "still waiting for the registration: $problem"
  fi
  last_problem="$problem"
  if [ "$(date +%s)" -ge "$deadline" ]; then
    rm -f "$catalog_body" "$catalog_headers"
    log "error: proxy $DP_PROXY_SERVICE_ID is not registered on node $DP_SERVICE_NODE_NAME after ${registration_timeout}s${last_problem:+ (last: $last_problem)}: not starting consul-dataplane, which would exit on it; ECS replaces the task"
    exit "$EXIT_NOT_REGISTERED"
  fi
done
if [ "$status" = 200 ]; then
  log "proxy $DP_PROXY_SERVICE_ID is registered on node $DP_SERVICE_NODE_NAME (after $(($(date +%s) - started_at))s)"
fi
rm -f "$catalog_body" "$catalog_headers"

log "starting consul-dataplane for proxy $DP_PROXY_SERVICE_ID on node $DP_SERVICE_NODE_NAME${CONSUL_CONFIG_HASH:+ (configuration $CONSUL_CONFIG_HASH)}"
exec consul-dataplane -config-file="$DATAPLANE_DIR/config.json" "$@"
