#!/bin/sh
# Entrypoint of the Consul server image.
#
# ECS injects the rendered server configuration and the secrets as environment variables, each taken from SSM
# Parameter Store by the task definition's `secrets` (valueFrom = the parameter); secrets are SecureString
# parameters, so none of them is in the repository or in the image. This script turns them into files under the
# configuration directory, readable only by the consul user, then replaces itself with `consul agent`.
#
#   CONSUL_CONFIG            required  the rendered consul.hcl             -> $CONFIG_DIR/consul.hcl
#   CONSUL_CONFIG_PARAMETER  optional  name of that parameter, only quoted in error messages
#   CONSUL_GOSSIP_KEY        optional  base64 gossip key                   -> $CONFIG_DIR/gossip.hcl (encrypt = "...")
#   CONSUL_CA_CERT           optional  PEM CA certificate, or a bundle of several (every one is trusted: Consul's
#                                      ca_file loads them all; a CA rotation trusts the old and the new CA for a
#                                      while)                             -> $CONFIG_DIR/tls/ca.pem
#   CONSUL_CA_KEY            optional  PEM CA private key; with the certificate of CONSUL_CA_CERT that carries its
#                                      public key it signs this server's own
#                                      certificate at start              -> $CONFIG_DIR/tls/server.pem, server-key.pem
#                                      (the CA key itself is deleted before Consul starts)
#   CONSUL_BOOTSTRAP_TOKEN   optional  ACL initial management token      -> $CONFIG_DIR/acl-tokens.hcl
#   CONSUL_AGENT_TOKEN       optional  ACL agent token (defaults to the bootstrap token) -> $CONFIG_DIR/acl-tokens.hcl,
#                                      and -> $CONFIG_DIR/health-check.token for the container health check
#                                      (healthcheck.sh; only this token, never the bootstrap one)
#   CONSUL_CERT_DNS_NAMES    optional  extra DNS names for the server certificate, space-separated (-additional-dnsname)
#   CONSUL_CONFIG_HASH       optional  hash of the rendered configuration, only logged
#   CONSUL_DATACENTER        optional  datacenter for the server certificate (default: `datacenter` of consul.hcl)
#   CONSUL_DOMAIN            optional  DNS domain for the server certificate (default: consul)
#   CONSUL_CONFIG_DIR        optional  default /consul/config
#
# The rendered consul.hcl must not set what the fragments set (`encrypt`, `acl.tokens`), and its `tls.defaults`
# must name $CONFIG_DIR/tls/ca.pem, server.pem and server-key.pem (docker/README.md).
#
# Secrets never reach the logs: tracing stays off, values are written with the `printf` builtin (no child process,
# so never on a command line) and error messages name variables, never their values.

set -eu
set +x
umask 077

CONFIG_DIR="${CONSUL_CONFIG_DIR:-/consul/config}"
TLS_DIR="$CONFIG_DIR/tls"

log() {
  printf '%s consul-server-entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

# write_file PATH CONTENT: writes CONTENT and a final newline to PATH with mode 0600, atomically (a temporary file
# in the same directory, then rename), so Consul never reads a half-written file.
write_file() {
  tmp="$1.tmp.$$"
  printf '%s\n' "$2" >"$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$1"
}

# is_token VALUE: ACL tokens are UUIDs; anything else is refused rather than spliced into HCL.
is_token() {
  case "$1" in
    '' | *[!0-9A-Za-z-]*) return 1 ;;
    *) return 0 ;;
  esac
}

[ -d "$CONFIG_DIR" ] && [ -w "$CONFIG_DIR" ] || fail "$CONFIG_DIR must be a directory writable by $(id -un)"

# --- the rendered configuration -------------------------------------------------------------------------------
if [ -z "${CONSUL_CONFIG:-}" ]; then
  fail "CONSUL_CONFIG is empty: the task definition must inject the rendered consul.hcl from SSM as a secret${CONSUL_CONFIG_PARAMETER:+ (parameter $CONSUL_CONFIG_PARAMETER)}"
fi
write_file "$CONFIG_DIR/consul.hcl" "$CONSUL_CONFIG"

# --- gossip encryption ----------------------------------------------------------------------------------------
# Consul reads the gossip key only from configuration (`encrypt`), so it gets a fragment of its own next to
# consul.hcl; every .hcl file of the directory is merged.
if [ -n "${CONSUL_GOSSIP_KEY:-}" ]; then
  case "$CONSUL_GOSSIP_KEY" in
    *[!A-Za-z0-9+/=]*) fail "CONSUL_GOSSIP_KEY is not a base64 key (generate one with: consul keygen)" ;;
  esac
  write_file "$CONFIG_DIR/gossip.hcl" "encrypt = \"$CONSUL_GOSSIP_KEY\""
else
  log "warning: CONSUL_GOSSIP_KEY is not set; gossip traffic is encrypted only if consul.hcl sets it"
fi

# --- TLS ------------------------------------------------------------------------------------------------------
if [ -n "${CONSUL_CA_CERT:-}" ]; then
  mkdir -p "$TLS_DIR"
  write_file "$TLS_DIR/ca.pem" "$CONSUL_CA_CERT"
  if [ -n "${CONSUL_CA_KEY:-}" ]; then
    datacenter="${CONSUL_DATACENTER:-$(sed -n 's/^[[:space:]]*datacenter[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONFIG_DIR/consul.hcl" | head -n 1)}"
    datacenter="${datacenter:-dc1}"
    domain="${CONSUL_DOMAIN:-consul}"
    # Extra names a client may verify besides server.<datacenter>.<domain>, e.g. the servers' internal address.
    # Each one is checked to be a DNS name before it reaches a command line (globbing off while splitting them).
    dns_flags=''
    set -f
    for dns_name in ${CONSUL_CERT_DNS_NAMES:-}; do
      case "$dns_name" in
        *[!A-Za-z0-9.-]* | [.-]*) fail "CONSUL_CERT_DNS_NAMES must hold DNS names separated by spaces" ;;
      esac
      dns_flags="$dns_flags -additional-dnsname $dns_name"
    done
    set +f
    # The CA key lives only in a private working directory for the one command that needs it. Its certificate
    # carries server.<datacenter>.<domain>, the name clients check when verify_server_hostname is on.
    work="$(mktemp -d "$CONFIG_DIR/.ca.XXXXXX")"
    write_file "$work/ca-key.pem" "$CONSUL_CA_KEY"
    # `consul tls cert create -ca` signs with the FIRST certificate of its file, and Go refuses a key that is not that
    # certificate's ("x509: provided PrivateKey doesn't match parent's PublicKey"). A bundle may hold several CAs in
    # any order (a CA rotation writes the bundle and the key one after the other): split it, one file per
    # certificate, and sign with the one that takes the key.
    count=0
    file=''
    while IFS= read -r line; do
      case "$line" in
        -----BEGIN\ CERTIFICATE-----*) count=$((count + 1)); file="$work/ca-$count.pem"; : >"$file" ;;
      esac
      [ -n "$file" ] && printf '%s\n' "$line" >>"$file"
      case "$line" in
        -----END\ CERTIFICATE-----*) file='' ;;
      esac
    done <"$TLS_DIR/ca.pem"
    [ "$count" -gt 0 ] || { rm -rf "$work"; fail "CONSUL_CA_CERT holds no PEM certificate"; }
    signed=''
    i=1
    while [ "$i" -le "$count" ] && [ -z "$signed" ]; do
      # $dns_flags is split on purpose: it holds validated names and flags only.
      # shellcheck disable=SC2086
      if (cd "$work" && consul tls cert create -server -dc "$datacenter" -domain "$domain" $dns_flags \
        -ca "$work/ca-$i.pem" -key "$work/ca-key.pem" >"$work/sign.log" 2>&1); then
        signed="$i"
      else
        rm -f "$work/$datacenter-server-$domain-0.pem" "$work/$datacenter-server-$domain-0-key.pem"
      fi
      i=$((i + 1))
    done
    if [ -z "$signed" ]; then
      cat "$work/sign.log" >&2 || true
      rm -rf "$work"
      fail "could not sign this server's certificate: CONSUL_CA_KEY matches none of the $count certificate(s) of CONSUL_CA_CERT"
    fi
    [ "$count" -eq 1 ] || log "CONSUL_CA_CERT holds $count CA certificates, all trusted; certificate $signed signed this server's"
    mv -f "$work/$datacenter-server-$domain-0.pem" "$TLS_DIR/server.pem"
    mv -f "$work/$datacenter-server-$domain-0-key.pem" "$TLS_DIR/server-key.pem"
    chmod 0600 "$TLS_DIR/server.pem" "$TLS_DIR/server-key.pem"
    rm -rf "$work"
  fi
elif [ -n "${CONSUL_CA_KEY:-}" ]; then
  fail "CONSUL_CA_KEY is set without CONSUL_CA_CERT"
fi

# --- ACL tokens -----------------------------------------------------------------------------------------------
if [ -n "${CONSUL_BOOTSTRAP_TOKEN:-}" ]; then
  is_token "$CONSUL_BOOTSTRAP_TOKEN" || fail "CONSUL_BOOTSTRAP_TOKEN is not a token (expected a UUID)"
  agent_token="${CONSUL_AGENT_TOKEN:-$CONSUL_BOOTSTRAP_TOKEN}"
  is_token "$agent_token" || fail "CONSUL_AGENT_TOKEN is not a token (expected a UUID)"
  write_file "$CONFIG_DIR/acl-tokens.hcl" "acl {
  tokens {
    initial_management = \"$CONSUL_BOOTSTRAP_TOKEN\"
    agent              = \"$agent_token\"
  }
}"
  unset agent_token
  # The health check (healthcheck.sh) asks autopilot with the agent token (operator:read). Consul reads only the
  # .hcl/.json files of the directory, so this one is not configuration.
  if [ -n "${CONSUL_AGENT_TOKEN:-}" ]; then
    write_file "$CONFIG_DIR/health-check.token" "$CONSUL_AGENT_TOKEN"
  fi
fi

# Consul gets its secrets from the files only: keep them out of its environment (and of /proc/1/environ).
unset CONSUL_CONFIG CONSUL_GOSSIP_KEY CONSUL_CA_CERT CONSUL_CA_KEY CONSUL_BOOTSTRAP_TOKEN CONSUL_AGENT_TOKEN

log "starting consul agent with $CONFIG_DIR${CONSUL_CONFIG_HASH:+ (configuration $CONSUL_CONFIG_HASH)}"
exec consul agent -config-dir="$CONFIG_DIR" "$@"
