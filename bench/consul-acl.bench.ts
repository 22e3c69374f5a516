/**
 * What Consul ACL enforcement costs the local Consul: catalog register of a service instance with its sidecar
 * proxy, and the health read of that service, p50/p99 with ACLs enforced and without.
 *
 * Two emulators run in this process: one with ACLs enabled (`default_policy = "deny"`) and a token holding exactly
 * the orchestrator's policy as the ACL step creates it (buildAclPlan for the reference mesh), one with ACLs
 * disabled. Both hold the same catalog and receive the same requests, token header included, so they differ only
 * in whether Consul resolves the token and checks `node:write` and `service:write` (register) or filters the
 * answer by `node:read` and `service:read` (health read). Rounds alternate between the two, so that a machine busier
 * at one moment weighs on both (the mode that goes first swaps each round).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { buildAclPlan } from '../layers/domain/consul/acl-policies';
import { buildRegistration } from '../layers/domain/registration';
import { loadMeshSpec, type MeshSpec, type ServiceSpec } from '../layers/domain/spec';
import { startConsulServer, type ConsulServer } from '@consul-mesh/local-cloud';
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { runLoad, summarizeRuns, type Call, type LoadOptions, type LoadRun } from './lib/load';
import { benchTask, catalogRegisterBodies, type CatalogRegisterBody } from './consul-acl/registration';
import { buildConsulAclTable, type AclCallFigures } from './consul-acl/report';
import { UnexpectedAnswer } from './local-endpoint/calls';

const ROOT = resolve(__dirname, '..');
const SPEC_FILE = 'examples/mesh.yaml';
/** Instances of the measured service in the catalog: register cycles through them, the health read returns them all. */
const TASKS = 100;
const ROUNDS = 9;
const ROUND: LoadOptions = { concurrency: 1, maxRequests: 1_000, maxDurationMs: 2_000, warmup: 50 };
/** The ACL token whose policy is measured: the one every orchestrator function uses. */
const CALLER = 'orchestrator';
const MANAGEMENT_TOKEN = randomUUID();

export const consulAclBenchmark: Benchmark = {
  name: 'consul-acl',
  description: 'Consul ACL enforcement of the local Consul: catalog register (instance + sidecar) and health read p50/p99, enforced and not',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const spec = loadMeshSpec(resolve(ROOT, SPEC_FILE));
    const { cluster, service } = measuredService(spec);
    const servers: ConsulServer[] = [];
    try {
      servers.push(await startConsulServer({ port: 0, acl: { enabled: true, managementToken: MANAGEMENT_TOKEN } }));
      servers.push(await startConsulServer({ port: 0 }));
      const [enforcing] = servers;
      const token = await createCallerToken(enforcing, spec);
      const tasks = Array.from({ length: TASKS }, (_, i) => catalogRegisterBodies(buildRegistration(spec, benchTask(spec, cluster, service, i))));
      context.log(`registering ${TASKS} tasks of ${service.name} (instance + sidecar) in both emulators`);
      for (const server of servers) for (const bodies of tasks) for (const body of bodies) await register(server.url, body, token);
      await expectEnforced(enforcing, tasks[0][0], service.name);

      const measured = [
        { label: `catalog register, ${service.name} instance + sidecar (2 PUTs)`, make: (url: string) => registerCall(url, tasks, token) },
        { label: `health read /v1/health/service/${service.name} (${TASKS} instances)`, make: (url: string) => healthReadCall(url, service.name, TASKS, token) },
      ];
      const calls = measured.map(({ make }) => servers.map((server) => make(server.url)));
      // One warm-up pass per endpoint and call (runLoad's warm-up would otherwise be paid inside a round).
      for (const pair of calls) for (const call of pair) await runLoad(call, { ...ROUND, maxRequests: ROUND.warmup ?? 1, warmup: 0 });
      const runs: LoadRun[][][] = calls.map(() => [[], []]);
      for (let round = 1; round <= ROUNDS; round++) {
        // The mode that goes first swaps every round, so neither always runs right after the other's garbage.
        const order = round % 2 === 1 ? [0, 1] : [1, 0];
        context.log(`round ${round} of ${ROUNDS}: each call ${order[0] === 0 ? 'enforced, then not' : 'not enforced, then enforced'}`);
        for (const [c, pair] of calls.entries()) {
          for (const mode of order) runs[c][mode].push(await runLoad(pair[mode], { ...ROUND, warmup: 0 }));
        }
      }
      const figures: AclCallFigures[] = measured.map(({ label }, c) => ({
        label,
        enforced: summarizeRuns(runs[c][0]),
        notEnforced: summarizeRuns(runs[c][1]),
      }));
      return {
        figures: {
          calls: figures,
          settings: { specFile: SPEC_FILE, cluster, service: service.name, tasks: TASKS, rounds: ROUNDS, round: ROUND, caller: CALLER },
        },
        tables: [buildConsulAclTable(figures, CALLER)],
        notes: [
          `${ROUNDS} rounds per mode at concurrency 1, each of at most ${ROUND.maxRequests} requests or ${ROUND.maxDurationMs} ms; the modes alternate and the one going first swaps each round; latencies pooled per mode; p50 ratio = enforced / not enforced.`,
          `Enforced: ACLs on with default_policy deny and a token holding the ${CALLER} policy of ${SPEC_FILE}; not enforced: ACLs disabled. Same catalog, same requests, same token header.`,
          'Both emulators and the client share this process and its event loop, as in the integration tests.',
        ],
      };
    } finally {
      for (const server of servers) await server.close();
    }
  },
};

/** The first service with upstreams (its proxy registration carries them), else the first service. */
function measuredService(spec: MeshSpec): { cluster: string; service: ServiceSpec } {
  const all = spec.clusters.flatMap((c) => c.services.map((service) => ({ cluster: c.name, service })));
  const chosen = all.find(({ service }) => service.upstreams.length > 0) ?? all[0];
  if (!chosen) throw new RangeError(`${SPEC_FILE} has no service`);
  return chosen;
}

/** Creates the orchestrator's policy and token through the ACL API, as the ACL step does; returns its SecretID. */
async function createCallerToken(consul: ConsulServer, spec: MeshSpec): Promise<string> {
  const plan = buildAclPlan(spec);
  const token = plan.tokens.find((t) => t.role === CALLER);
  if (!token) throw new RangeError(`the ACL plan of ${spec.name} has no ${CALLER} token`);
  const linked = new Set((token.Policies ?? []).map((p) => p.Name));
  for (const policy of plan.policies.filter((p) => linked.has(p.Name))) await put(consul.url, '/v1/acl/policy', policy, MANAGEMENT_TOKEN);
  const secret = randomUUID();
  const { role: _role, parameter: _parameter, ...body } = token;
  await put(consul.url, '/v1/acl/token', { ...body, SecretID: secret }, MANAGEMENT_TOKEN);
  return secret;
}

/**
 * Guards the comparison: the enforcing emulator must refuse a register without a token and show an anonymous
 * health read nothing (Consul filters what `default_policy = "deny"` does not let it read), else the benchmark
 * would compare two unenforced emulators.
 */
async function expectEnforced(consul: ConsulServer, body: CatalogRegisterBody, service: string): Promise<void> {
  const register = await fetch(`${consul.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
  const refusal = await register.text();
  if (register.status !== 403) throw new UnexpectedAnswer(`the enforcing emulator answered ${register.status} to an anonymous register (${refusal.slice(0, 200)})`);
  const read = await fetch(`${consul.url}/v1/health/service/${encodeURIComponent(service)}`);
  const entries = (await read.json()) as unknown[];
  if (read.status !== 200 || entries.length !== 0) throw new UnexpectedAnswer(`the enforcing emulator showed an anonymous health read ${entries.length} instances (status ${read.status})`);
}

async function put(url: string, path: string, body: unknown, token: string): Promise<string> {
  const response = await fetch(`${url}${path}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Consul-Token': token }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) throw new UnexpectedAnswer(`PUT ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

async function register(url: string, body: CatalogRegisterBody, token: string): Promise<void> {
  const answer = await put(url, '/v1/catalog/register', body, token);
  if (answer.trim() !== 'true') throw new UnexpectedAnswer(`catalog register answered ${answer.slice(0, 200)}`);
}

/** Re-registers the next task's instance and sidecar (as a task's version change does), cycling through the tasks. */
function registerCall(url: string, tasks: readonly CatalogRegisterBody[][], token: string): Call {
  let next = 0;
  return async () => {
    const bodies = tasks[next];
    next = (next + 1) % tasks.length;
    for (const body of bodies) await register(url, body, token);
  };
}

/** `GET /v1/health/service/<name>`: every instance with its node and checks, which ACLs filter by read permission. */
function healthReadCall(url: string, service: string, expected: number, token: string): Call {
  return async () => {
    const response = await fetch(`${url}/v1/health/service/${encodeURIComponent(service)}`, { headers: { 'X-Consul-Token': token } });
    const body = await response.text();
    if (response.status !== 200) throw new UnexpectedAnswer(`health read answered ${response.status}: ${body.slice(0, 200)}`);
    const entries = JSON.parse(body) as unknown[];
    if (entries.length !== expected) throw new UnexpectedAnswer(`health read returned ${entries.length} instances, expected ${expected}`);
  };
}
