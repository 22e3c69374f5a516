/** Test doubles of the binaries the entrypoints exec, as POSIX sh scripts; they write what they saw to $RECORD_DIR. */

/**
 * Test double of the consul CLI: `tls cert create` writes files named as Consul does and records its flags in
 * `$RECORD_DIR/tls-cert-create`; `agent` records its arguments and environment (`agent-args`, `agent-env`).
 */
export const FAKE_CONSUL = `#!/bin/sh
set -eu
case "$*" in
  "tls cert create "*)
  shift 3
  dc=dc1; domain=consul; ca=; key=; names=
  while [ $# -gt 0 ]; do
    case "$1" in
      -server) shift ;;
      -additional-dnsname) names="$names $2"; shift 2 ;;
      -dc) dc=$2; shift 2 ;;
      -domain) domain=$2; shift 2 ;;
      -ca) ca=$2; shift 2 ;;
      -key) key=$2; shift 2 ;;
      *) echo "unexpected flag $1" >&2; exit 2 ;;
    esac
  done
  [ -z "\${FAKE_TLS_FAIL:-}" ] || { echo "==> CA key could not be parsed" >&2; exit 1; }
  printf '%s\\n' "dc=$dc" "domain=$domain" "ca=$ca" "keymode=$(stat -c %a "$key")" "names=$names" > "$RECORD_DIR/tls-cert-create"
  cat "$key" > "$RECORD_DIR/ca-key-seen"
  printf 'certificate for server.%s.%s\\n' "$dc" "$domain" > "$dc-server-$domain-0.pem"
  printf 'server private key\\n' > "$dc-server-$domain-0-key.pem"
  echo "==> Saved $dc-server-$domain-0.pem"
  exit 0
  ;;
esac
if [ "$1" = agent ]; then
  printf '%s\\n' "$@" > "$RECORD_DIR/agent-args"
  env > "$RECORD_DIR/agent-env"
  exit 0
fi
echo "unexpected consul command: $*" >&2
exit 3
`;

/** Test double of consul-dataplane: records its arguments and environment (`dataplane-args`, `dataplane-env`). */
export const FAKE_DATAPLANE = `#!/bin/sh
printf '%s\\n' "$@" > "$RECORD_DIR/dataplane-args"
env > "$RECORD_DIR/dataplane-env"
exit 0
`;
