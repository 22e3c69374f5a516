import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs an image's real entrypoint script with `sh`, as the container would, with only its final binary replaced by
 * a stand-in that records how it was started (its arguments and environment) and exits 0.
 *
 * The container's filesystem is a private temporary directory (`root`): the entrypoint's configuration directory
 * variable points into it, and the paths the configuration names (`/consul/config/tls/ca.pem`) are read under it.
 * Everything else the script calls (`sed`, `mktemp`, `curl`, ...) is the host's, from `/usr/bin` and `/bin`.
 */

/** The `consul` binary: `tls cert create` issues a real server certificate with openssl; `agent` records how it was started. */
const CONSUL_STANDIN = `#!/bin/sh
set -eu
if [ "\${1:-}" = tls ] && [ "\${2:-}" = cert ] && [ "\${3:-}" = create ]; then
  shift 3
  dc=dc1; domain=consul; ca=; key=; names=
  while [ $# -gt 0 ]; do
    case "$1" in
      -server) shift ;;
      -dc) dc=$2; shift 2 ;;
      -domain) domain=$2; shift 2 ;;
      -ca) ca=$2; shift 2 ;;
      -key) key=$2; shift 2 ;;
      -additional-dnsname) names="$names,DNS:$2"; shift 2 ;;
      *) echo "flag provided but not defined: $1" >&2; exit 1 ;;
    esac
  done
  out="$dc-server-$domain-0"
  openssl ecparam -name prime256v1 -genkey -noout -out "$out-key.pem" 2>/dev/null
  openssl req -new -key "$out-key.pem" -subj "/CN=server.$dc.$domain" -out "$out.csr" 2>/dev/null
  printf 'subjectAltName=DNS:server.%s.%s,DNS:localhost,IP:127.0.0.1%s\\nextendedKeyUsage=serverAuth,clientAuth\\n' "$dc" "$domain" "$names" > "$out.ext"
  if ! openssl x509 -req -in "$out.csr" -CA "$ca" -CAkey "$key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \\n')" \\
    -days 365 -extfile "$out.ext" -out "$out.pem" 2>"$out.err"; then
    echo "==> Error: could not sign the certificate with the CA: $(head -n 1 "$out.err")" >&2
    exit 1
  fi
  rm -f "$out.csr" "$out.ext" "$out.err"
  echo "==> Saved $out.pem"
  echo "==> Saved $out-key.pem"
  exit 0
fi
if [ "\${1:-}" = agent ]; then
  printf '%s\\n' "$@" > "$STANDIN_RECORD/args"
  exit 0
fi
echo "consul: the local stand-in does not run: consul $*" >&2
exit 1
`;

/** `consul-dataplane`: records its arguments and environment (`DP_*`, which take precedence over its -config-file). */
const DATAPLANE_STANDIN = `#!/bin/sh
printf '%s\\n' "$@" > "$STANDIN_RECORD/args"
env | grep '^DP_' > "$STANDIN_RECORD/env" || true
exit 0
`;

export type FinalBinary = 'consul' | 'consul-dataplane';

/** How the entrypoint ended and what its final binary was started with. */
export interface EntrypointRun {
  /** The entrypoint's exit code (non-zero: it failed before starting the binary). */
  readonly exitCode: number;
  readonly stderr: string;
  /** The final binary's arguments, when the entrypoint reached it. */
  readonly args?: string[];
  /** The `DP_*` environment the dataplane was started with. */
  readonly env: Record<string, string>;
  /** The container's filesystem root. */
  readonly root: string;
  /** Removes the container's files. */
  dispose(): void;
}

/**
 * Runs `script` (an entrypoint of docker/) with `sh` and exactly `environment` (plus PATH and HOME), `binary`
 * replaced by its stand-in. `signal` stops it (the task stopped while its entrypoint still waits): the script and
 * whatever it started (`curl`, `sleep`) are killed as a process group, as ECS's stop ends the whole container.
 */
export async function runEntrypoint(
  script: string,
  binary: FinalBinary,
  environment: Record<string, string>,
  prepare: (root: string) => Record<string, string>,
  signal?: AbortSignal,
): Promise<EntrypointRun> {
  const root = mkdtempSync(join(tmpdir(), 'task-'));
  chmodSync(root, 0o700);
  const bin = join(root, '.standin', 'bin');
  const record = join(root, '.standin', 'record');
  mkdirSync(bin, { recursive: true });
  mkdirSync(record, { recursive: true });
  writeFileSync(join(bin, binary), binary === 'consul' ? CONSUL_STANDIN : DATAPLANE_STANDIN, { mode: 0o755 });
  const env = { ...environment, ...prepare(root), PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: root, STANDIN_RECORD: record };
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    // Its own process group (detached), so a stop reaches the programs the script waits on as well.
    const child = spawn('sh', [script], { env, cwd: root, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    if (signal?.aborted) kill();
    signal?.addEventListener('abort', kill, { once: true });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (exit) => {
      signal?.removeEventListener('abort', kill);
      resolve({ code: exit ?? 1, stderr: err });
    });
  });
  const read = (name: string): string | undefined => {
    try {
      return readFileSync(join(record, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  const args = read('args')?.split('\n').filter((line) => line !== '');
  const dpEnv: Record<string, string> = {};
  for (const line of (read('env') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) dpEnv[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { exitCode: code, stderr, args, env: dpEnv, root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** The last error line the entrypoint logged (`... entrypoint: error: <text>`), or its last line. */
export function entrypointError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const error = [...lines].reverse().find((l) => /error/i.test(l)) ?? lines.at(-1) ?? 'exited';
  return error.replace(/^\S+ [\w-]+-entrypoint: /, '');
}
