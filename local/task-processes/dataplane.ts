import type { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataplaneAccess } from '../consul';
import type { Verdict } from './consul-server';
import { entrypointError, runEntrypoint } from './entrypoint';
import { parseCertificates } from './tls-trust';

/** The image's dataplane directory (configuration, CA file), under the container's root. */
const DATAPLANE_DIR = '/consul/dataplane';

/**
 * consul-dataplane's `-config-file` as it decodes it (Go's encoding/json into its DataplaneConfigFlags, 1.6): a
 * value of the wrong type fails the decoding, an unknown key is ignored, as Go ignores fields it has no place for.
 */
type JsonKind = 'string' | 'int' | 'bool' | 'map';
interface JsonSchema {
  readonly [key: string]: JsonKind | JsonSchema;
}
const TLS: JsonSchema = { disabled: 'bool', caCertsPath: 'string', serverName: 'string', certFile: 'string', keyFile: 'string', insecureSkipVerify: 'bool' };
const PROXY: JsonSchema = { nodeName: 'string', nodeID: 'string', id: 'string', idPath: 'string', namespace: 'string', partition: 'string' };
const DATAPLANE_SCHEMA: JsonSchema = {
  mode: 'string',
  consul: {
    addresses: 'string',
    grpcPort: 'int',
    serverWatchDisabled: 'bool',
    tls: TLS,
    credentials: {
      type: 'string',
      static: { token: 'string' },
      login: { authMethod: 'string', namespace: 'string', partition: 'string', datacenter: 'string', bearerToken: 'string', bearerTokenPath: 'string', meta: 'map' },
    },
  },
  service: { nodeName: 'string', nodeID: 'string', serviceID: 'string', serviceIDPath: 'string', namespace: 'string', partition: 'string' },
  proxy: PROXY,
  logging: { logLevel: 'string', logJSON: 'bool' },
  xdsServer: { bindAddress: 'string', bindPort: 'int' },
  dnsServer: { bindAddress: 'string', bindPort: 'int' },
  telemetry: {
    useCentralConfig: 'bool',
    prometheus: { retentionTime: 'string', caCertsPath: 'string', keyFile: 'string', certFile: 'string', serviceMetricsURL: 'string', scrapePath: 'string', mergePort: 'int' },
  },
  envoy: {
    ...Object.fromEntries(['adminBindAddress', 'readyBindAddress', 'drainStrategy', 'gracefulShutdownPath', 'gracefulStartupPath'].map((k) => [k, 'string'])),
    ...Object.fromEntries(['adminBindPort', 'readyBindPort', 'concurrency', 'drainTimeSeconds', 'shutdownGracePeriodSeconds', 'gracefulPort', 'startupGracePeriodSeconds'].map((k) => [k, 'int'])),
    ...Object.fromEntries(['shutdownDrainListenersEnabled', 'dumpEnvoyConfigOnExitEnabled'].map((k) => [k, 'bool'])),
  } as JsonSchema,
};

const GO_TYPES: Readonly<Record<JsonKind, string>> = { string: 'string', int: 'int', bool: 'bool', map: 'map[string]string' };

/** Go's `json: cannot unmarshal <json type> into Go struct field <path> of type <go type>`, or undefined. */
function decodeError(value: unknown, schema: JsonSchema, path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type main.DataplaneConfigFlags`;
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const expected = schema[key];
    if (expected === undefined || field === null) continue;
    const at = path === '' ? key : `${path}.${key}`;
    const jsonType = Array.isArray(field) ? 'array' : typeof field === 'object' ? 'object' : typeof field;
    if (typeof expected === 'object') {
      if (jsonType !== 'object') return `json: cannot unmarshal ${jsonType} into Go struct field .${at} of type struct`;
      const inner = decodeError(field, expected, at);
      if (inner) return inner;
      continue;
    }
    const ok =
      (expected === 'string' && typeof field === 'string') ||
      (expected === 'bool' && typeof field === 'boolean') ||
      (expected === 'int' && typeof field === 'number' && Number.isInteger(field)) ||
      (expected === 'map' && jsonType === 'object' && Object.values(field as object).every((v) => typeof v === 'string'));
    if (!ok) return `json: cannot unmarshal ${jsonType} into Go struct field .${at} of type ${GO_TYPES[expected]}`;
  }
  return undefined;
}

export interface DataplaneCheckDeps {
  /** The servers' answer to this dataplane's login and proxy stream (ConsulServer.dataplaneAccess). */
  access(secret: string, node: string, proxyId: string): DataplaneAccess;
  /**
   * The local Consul's HTTP API (`http://127.0.0.1:<port>`): where the servers' address the task definition gives the
   * entrypoint (`CONSUL_HTTP_ADDR`) leads here, as the servers' DNS name leads to them on AWS.
   */
  consulHttpUrl: string;
  /** How long Envoy may take to become ready before the health check's failures count (ECS's startPeriod and retries). */
  readyTimeoutMs: number;
  /** False once the task stops or the local cloud closes: the dataplane stops waiting. */
  stillRunning(): boolean;
  /** The task as the ECS task metadata endpoint (v4) describes it to the entrypoint. */
  task: { readonly taskArn: string; readonly clusterArn: string };
  /** Whether it verifies every running server's certificate with these CAs (tls-trust.ts): undefined, or why not. */
  trust?: (trusts: X509Certificate[]) => string | undefined;
}

/** Consul's HTTP API ports by TLS mode (layers/domain/consul/ports.ts: 8501 HTTPS with TLS, else 8500). */
const HTTP_PORTS = { tls: 8501, plain: 8500 } as const;

/**
 * The environment with `CONSUL_HTTP_ADDR` pointed at the local Consul when it names the servers as the dataplane
 * configuration does (its `consul.addresses`, on the HTTP port of its TLS mode): the stand-in of the servers' DNS
 * name. Any other value is left alone, so the entrypoint's real `curl` fails to reach it as it would on AWS. The local
 * Consul speaks plain HTTP: the entrypoint's TLS verification is not exercised (the CA file is loaded below).
 */
function withLocalConsul(environment: Record<string, string>, consulHttpUrl: string): Record<string, string> {
  const given = environment.CONSUL_HTTP_ADDR;
  if (!given || !environment.CONSUL_CONFIG) return environment;
  let config: { consul?: { addresses?: unknown; tls?: { disabled?: unknown } } };
  try {
    config = JSON.parse(environment.CONSUL_CONFIG);
  } catch {
    return environment;
  }
  const servers = config.consul?.addresses;
  if (typeof servers !== 'string' || servers.startsWith('exec=')) return environment;
  const tls = config.consul?.tls?.disabled !== true;
  const expected = `${tls ? 'https' : 'http'}://${servers}:${tls ? HTTP_PORTS.tls : HTTP_PORTS.plain}`;
  return given.replace(/\/+$/, '') === expected ? { ...environment, CONSUL_HTTP_ADDR: consulHttpUrl } : environment;
}

/**
 * The consul-dataplane container: its entrypoint (docker/consul-dataplane/entrypoint.sh) runs with the container's
 * environment and secrets and the task metadata endpoint. The entrypoint waits (bounded) until the proxy is registered
 * on its node, reading the local Consul with the proxy's token, and exits when it gives up or the token is refused.
 * Then the dataplane would decode its `-config-file`, validate it (an address, a port, a proxy ID; a static
 * credential needs its token) and exit 1 on a failure. Running, it asks the servers once for its Envoy bootstrap
 * (dataplane-access.ts) and, as consul-dataplane 1.6 does (its `Run` returns the error of GetEnvoyBootstrapParams, no
 * retry), exits 1 when that call fails: a token they do not know, one that cannot read the proxy, or a proxy that is
 * not registered. A refused proxy stream (no `service:write` on the destination) leaves Envoy without configuration:
 * the `/ready` check fails (UNHEALTHY) after `readyTimeoutMs`.
 */
export async function checkDataplane(script: string, environment: Record<string, string>, deps: DataplaneCheckDeps): Promise<Verdict | undefined> {
  // A task stopped while its entrypoint waits: stop the script, nothing more to say.
  const stop = new AbortController();
  const watch = setInterval(() => {
    if (!deps.stillRunning()) stop.abort();
  }, 50);
  let run;
  try {
    run = await runEntrypoint(
      script,
      'consul-dataplane',
      withLocalConsul(environment, deps.consulHttpUrl),
      (root) => {
        mkdirSync(join(root, DATAPLANE_DIR), { recursive: true, mode: 0o700 });
        // The task metadata endpoint v4 (`${ECS_CONTAINER_METADATA_URI_V4}/task`), served as a file the script's curl reads.
        const meta = join(root, '.standin', 'metadata');
        mkdirSync(meta, { recursive: true });
        writeFileSync(join(meta, 'task'), JSON.stringify({ Cluster: deps.task.clusterArn, TaskARN: deps.task.taskArn }));
        return { CONSUL_DATAPLANE_DIR: join(root, DATAPLANE_DIR), ECS_CONTAINER_METADATA_URI_V4: `file://${meta}` };
      },
      stop.signal,
    );
  } finally {
    clearInterval(watch);
  }
  if (stop.signal.aborted) {
    run.dispose();
    return undefined;
  }
  try {
    if (run.exitCode !== 0 || !run.args) return { exitCode: run.exitCode || 1, reason: entrypointError(run.stderr) };
    const fileArg = run.args.find((a) => a.startsWith('-config-file='));
    let config: Record<string, unknown> = {};
    if (fileArg) {
      const path = fileArg.slice('-config-file='.length);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        return { exitCode: 1, reason: `failed to build dataplane config: ${(error as Error).message}` };
      }
      const problem = decodeError(parsed, DATAPLANE_SCHEMA, '');
      if (problem) return { exitCode: 1, reason: `failed to build dataplane config: ${problem}` };
      config = parsed as Record<string, unknown>;
    }
    const get = (path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), config);
    const env = run.env;
    // DP_* variables take precedence over the file, as consul-dataplane merges them.
    const addresses = env.DP_CONSUL_ADDRESSES ?? (get('consul.addresses') as string | undefined) ?? '';
    const proxyId = env.DP_PROXY_SERVICE_ID ?? env.DP_SERVICE_ID ?? ((get('proxy.id') ?? get('service.serviceID')) as string | undefined) ?? '';
    const node = env.DP_PROXY_NODE_NAME ?? env.DP_SERVICE_NODE_NAME ?? ((get('proxy.nodeName') ?? get('service.nodeName')) as string | undefined) ?? '';
    const credentialType = env.DP_CREDENTIAL_TYPE ?? (get('consul.credentials.type') as string | undefined) ?? '';
    const token = env.DP_CREDENTIAL_STATIC_TOKEN ?? (get('consul.credentials.static.token') as string | undefined) ?? '';
    if (addresses === '') return { exitCode: 1, reason: 'invalid configuration: consul addresses not specified' };
    if (proxyId === '') return { exitCode: 1, reason: 'invalid configuration: proxy ID not specified' };
    if (credentialType === 'static' && token === '') return { exitCode: 1, reason: 'invalid configuration: static credentials must have a token' };
    const tlsDisabled = env.DP_TLS_DISABLED === 'true' || get('consul.tls.disabled') === true;
    const caFile = env.DP_CA_CERTS ?? (get('consul.tls.caCertsPath') as string | undefined);
    if (!tlsDisabled && caFile) {
      let trusts: X509Certificate[];
      try {
        // go-rootcerts loads every certificate of the file (a CA rotation's bundle holds two).
        trusts = parseCertificates(readFileSync(caFile.startsWith(run.root) ? caFile : join(run.root, caFile), 'utf8'));
      } catch (error) {
        return { exitCode: 1, reason: `failed to load CA certificates from ${caFile}: ${(error as Error).message}` };
      }
      if (trusts.length === 0) return { exitCode: 1, reason: `failed to load CA certificates from ${caFile}: no PEM certificate found` };
      // A server it cannot verify fails the gRPC handshake: consul-dataplane keeps retrying and Envoy never gets its bootstrap.
      const refused = deps.trust?.(trusts);
      if (refused) return { unhealthy: true, reason: `Envoy is not ready: failed to connect to the Consul servers: ${refused}` };
    }
    // One bootstrap call: refused or not registered, consul-dataplane exits; served, poll the proxy stream until
    // Envoy is ready or the health check gives up.
    const deadline = Date.now() + deps.readyTimeoutMs;
    for (;;) {
      const access = deps.access(credentialType === 'static' ? token : '', node, proxyId);
      if (access.ok) return undefined;
      if (access.stage !== 'xds') return { exitCode: 1, reason: `failed to get bootstrap config: failed to get envoy bootstrap params: ${access.error}` };
      if (!deps.stillRunning()) return undefined;
      if (Date.now() >= deadline) return { unhealthy: true, reason: `Envoy is not ready: ${access.error}` };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    run.dispose();
  }
}
