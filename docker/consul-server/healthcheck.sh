#!/bin/sh
# Container health check of the Consul server image: healthy only while Consul's autopilot reports THIS server as a
# voter that is caught up with the leader. The task definition's healthCheck runs it (ECS, inside the container):
#
#   consul-server-healthcheck http://127.0.0.1:8500/v1/operator/autopilot/health
#
# Why: during a rolling replacement ECS stops an old server as soon as its replacement counts as HEALTHY
# (minimumHealthyPercent). "The agent answers HTTP" is true seconds after the start, long before the new server has
# joined, replicated the Raft log and been promoted by autopilot; stopping an old server then can leave fewer than a
# quorum of servers that hold the data, and the datacenter is lost. Autopilot's server health
# (GET /v1/operator/autopilot/health, ACL operator:read, answered by the leader) has, per server, `Voter` (autopilot
# promotes a new server once it has been healthy for server_stabilization_time, 10 s by default) and `Healthy` (serf
# alive, last contact with the leader within last_contact_threshold, 200 ms, and a log within max_trailing_logs,
# 250 entries, of the leader's).
#
# The answer is 429 when ANY server is unhealthy, so its status code is not this server's health (curl runs without
# --fail); this server's own entry is, found by its node ID (its Raft ID), which Consul keeps in <data_dir>/node-id.
# No leader (a new cluster before bootstrap_expect servers joined, or a lost quorum), an unknown token, an agent that
# does not answer: all fail. The task definition's startPeriod covers a new datacenter's bootstrap and ACL set-up.
#
# The token is the servers' agent token (operator:read), from the file the entrypoint writes; never the management
# token. It reaches curl on its standard input (-K -), never on a command line. Exit 0 healthy, 1 not (ECS's rule).
#
#   CONSUL_DATA_DIR            optional  default /consul/data (where Consul keeps node-id)
#   CONSUL_HEALTH_TOKEN_FILE   optional  default /consul/config/health-check.token (absent: no token, ACLs off)

set -u

url="${1:-}"
data_dir="${CONSUL_DATA_DIR:-/consul/data}"
token_file="${CONSUL_HEALTH_TOKEN_FILE:-/consul/config/health-check.token}"

unhealthy() {
  printf 'consul-server-healthcheck: %s\n' "$*"
  exit 1
}

[ -n "$url" ] || unhealthy "usage: consul-server-healthcheck <autopilot health URL>"

node_id=''
# Consul writes node-id without a final newline: `read` then fails but still sets the variable.
[ -r "$data_dir/node-id" ] && { IFS= read -r node_id <"$data_dir/node-id" || true; }
[ -n "$node_id" ] || unhealthy "no $data_dir/node-id yet: the agent has not started"

token=''
[ -r "$token_file" ] && { IFS= read -r token <"$token_file" || true; }

if [ -n "$token" ]; then
  body="$(printf 'header = "X-Consul-Token: %s"\n' "$token" | curl -sS --max-time 3 -K - "$url" 2>&1)" || unhealthy "$body"
else
  body="$(curl -sS --max-time 3 "$url" 2>&1)" || unhealthy "$body"
fi

# One line: "ok", or what is wrong with this server's entry. Not JSON (e.g. "No cluster leader", "ACL not found"): jq fails.
verdict="$(printf '%s' "$body" | jq -r --arg id "$node_id" '
  [(.Servers // error("no Servers"))[] | select((.ID | ascii_downcase) == ($id | ascii_downcase))]
  | if length == 0 then "not among the servers autopilot knows"
    elif .[0].Voter == true and .[0].Healthy == true then "ok"
    else "Voter=\(.[0].Voter) Healthy=\(.[0].Healthy) LastIndex=\(.[0].LastIndex) LastContact=\(.[0].LastContact)"
    end' 2>/dev/null)" || unhealthy "autopilot health unavailable: $body"
[ "$verdict" = ok ] || unhealthy "server $node_id is not a caught-up voter: $verdict"
exit 0
