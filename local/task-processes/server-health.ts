import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Consul server container's health check (docker/consul-server/healthcheck.sh, the image's
 * `consul-server-healthcheck`), run for real with `sh`, `curl` and `jq` of this machine, as ECS runs it inside the
 * container every interval: it asks the local Consul's autopilot health (`/v1/operator/autopilot/health`, with
 * the agent token the entrypoint wrote) and passes only when this server's entry, by its node ID, is a caught-up
 * voter.
 *
 * What the container's filesystem would hold is written into a private temporary directory for each run: Consul's
 * `<data_dir>/node-id` (the ID the local Consul lists the server under: serverNodeId) and the entrypoint's
 * `health-check.token`. The check's URL names the agent's own HTTP port on 127.0.0.1; locally the servers' HTTP
 * API is the local Consul's, so the URL's origin is replaced by it.
 */

/** The node ID (Raft ID) a server task's agent would generate: the task's ID (32 hex digits) as a UUID. */
export function serverNodeId(taskId: string): string {
  const hex = taskId.replace(/[^0-9a-f]/gi, '').toLowerCase().padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface ServerHealthProbeOptions {
  /** The image's check script (from its build context). */
  readonly script: string;
  /** The check's arguments, as the task definition gives them after the program. */
  readonly args: readonly string[];
  /** The local Consul's HTTP API, e.g. `http://127.0.0.1:8500`. */
  readonly consulHttpUrl: string;
  readonly nodeId: string;
  /** The content of the entrypoint's health-check token file, when it wrote one. */
  readonly token?: string;
  /** ECS's timeout of the check, in ms. */
  readonly timeoutMs: number;
}

/** One run of the check: undefined when it exits 0, else what it printed (or why it did not finish). */
export function serverHealthProbe(options: ServerHealthProbeOptions): () => Promise<string | undefined> {
  const origin = new URL(options.consulHttpUrl).origin;
  const args = options.args.map((arg) => arg.replace(/^http:\/\/127\.0\.0\.1:\d+/, origin));
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'server-check-'));
    try {
      chmodSync(root, 0o700);
      mkdirSync(join(root, 'data'));
      mkdirSync(join(root, 'config'));
      // Consul writes node-id without a final newline.
      writeFileSync(join(root, 'data', 'node-id'), options.nodeId, { mode: 0o600 });
      if (options.token !== undefined) writeFileSync(join(root, 'config', 'health-check.token'), options.token, { mode: 0o600 });
      const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: root, CONSUL_DATA_DIR: join(root, 'data'), CONSUL_HEALTH_TOKEN_FILE: join(root, 'config', 'health-check.token') };
      const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
        const child = spawn('sh', [options.script, ...args], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        child.on('error', (error) => {
          clearTimeout(timer);
          resolve({ code: 127, output: error.message });
        });
        child.on('close', (exit) => {
          clearTimeout(timer);
          resolve({ code: exit ?? 1, output: exit === null ? `health check timed out after ${options.timeoutMs} ms` : output });
        });
      });
      return code === 0 ? undefined : output.trim() || `exit ${code}`;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}
