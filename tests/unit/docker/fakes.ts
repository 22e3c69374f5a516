import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/**
 * A stand-in for the servers' HTTP API as the dataplane entrypoint reads it before it starts consul-dataplane:
 * `GET /v1/catalog/node-services/<node>?filter=ID == "<proxy>"` lists that proxy (registered), with an
 * `X-Consul-Index` as a blocking query answers. It keeps the tokens it was sent, to check which one the script uses.
 */
export interface FakeCatalog {
  url: string;
  tokens: string[];
  close(): Promise<void>;
}

export async function startFakeCatalog(): Promise<FakeCatalog> {
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://catalog');
    const node = /^\/v1\/catalog\/node-services\/([^/]+)$/.exec(url.pathname)?.[1];
    const id = /^ID == "([^"]+)"$/.exec(url.searchParams.get('filter') ?? '')?.[1];
    if (!node || !id) {
      res.writeHead(404).end('not found');
      return;
    }
    tokens.push(String(req.headers['x-consul-token'] ?? ''));
    res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '7' }).end(JSON.stringify({ Node: { Node: node }, Services: [{ ID: id, Service: id }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, tokens, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
