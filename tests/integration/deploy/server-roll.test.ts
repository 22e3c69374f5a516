import type { LocalCloud } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, referenceSpec, registeredTaskArns, runningTaskArns, startCloud } from './harness';

const SERVICES: Array<[cluster: string, service: string]> = [
  ['cluster-1', 'users'],
  ['cluster-1', 'activities'],
  ['cluster-2', 'todos'],
  ['cluster-2', 'notifications'],
];

/**
 * A configuration-only change of the servers (server.hcl) rolls every server task, one at a time: a quorum of
 * servers holding the state remains throughout, so no KV key written meanwhile and no registration is lost, and the
 * datacenter is never replaced by an empty one.
 */
describe('a rolling server change', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    // Task lifecycle steps of a few milliseconds: the roll takes long enough for the writes to interleave with it.
    cloud = await startCloud({ ecsDelays: { provisioningMs: 20, pendingMs: 20, activatingMs: 20, runningMs: 40, stoppingMs: 20, restartBackoffMs: 5, maxRestartBackoffMs: 20 } });
    const run = await deploy(cloud, referenceSpec(), { timeoutMs: 120_000 });
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 240_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('loses no KV key and no registration while reads and writes run throughout', async () => {
    const token = await bootstrapTokenOf(cloud);
    const headers = { 'X-Consul-Token': token };
    const serversBefore = cloud.ecs.runningTasks('consul-server').map((t) => t.taskArn);
    const written = new Map<string, string>();
    let refused = 0;
    let readMismatches = 0;
    let running = true;
    const writer = (async () => {
      for (let n = 0; running; n += 1) {
        const key = `roll-test/key-${n}`;
        const value = `value-${n}`;
        const response = await fetch(`${cloud.endpoints.consul}/v1/kv/${key}`, { method: 'PUT', body: value, headers }).catch(() => undefined);
        if (response?.status === 200) written.set(key, value);
        else refused += 1;
        // Read back an earlier key: what was acknowledged stays readable.
        const earlier = [...written.keys()][Math.floor(Math.random() * written.size)];
        if (earlier) {
          const read = await fetch(`${cloud.endpoints.consul}/v1/kv/${earlier}?raw`, { headers }).catch(() => undefined);
          if (read?.status === 200 && (await read.text()) !== written.get(earlier)) readMismatches += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const run = await deploy(
      cloud,
      referenceSpec((spec) => void ((spec.consul as { security: { acl: { defaultPolicy: string } } }).security.acl.defaultPolicy = 'allow')),
      { timeoutMs: 120_000 },
    );
    running = false;
    await writer;

    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    // Every server was replaced.
    const serversAfter = cloud.ecs.runningTasks('consul-server').map((t) => t.taskArn);
    expect(serversAfter.filter((arn) => serversBefore.includes(arn))).toEqual([]);
    expect(cloud.consul.datacentersLost()).toBe(0);
    expect(written.size).toBeGreaterThan(20);
    expect(readMismatches).toBe(0);
    const kv = new Map(cloud.consul.catalog().kv.map((e) => [e.Key, e.Value]));
    const lost = [...written].filter(([key, value]) => kv.get(key) !== value).map(([key]) => key);
    expect(lost).toEqual([]);
    // A leader throughout: no write was refused with "No cluster leader".
    expect(refused).toBe(0);
    for (const [cluster, service] of SERVICES) {
      const registered = registeredTaskArns(cloud, service);
      const tasks = runningTaskArns(cloud, cluster, service);
      expect({ service, registered }).toEqual({ service, registered: tasks });
    }
  }, 240_000);
});
