import type { LocalCloud } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, referenceSpec, registeredTaskArns, runningTaskArns, startCloud } from './harness';

const SERVICES: Array<[cluster: string, service: string]> = [
  ['cluster-1', 'users'],
  ['cluster-1', 'activities'],
  ['cluster-2', 'todos'],
  ['cluster-2', 'notifications'],
];

/** How long a new server takes to catch up with the leader and be promoted to a voter: far longer than a task start. */
const CATCH_UP_MS = 1_500;

/**
 * A server roll where a replacement takes much longer to catch up (replicate the log, be promoted by autopilot) than
 * ECS takes to start it. ECS stops an old server only once its replacement is HEALTHY; the servers' health check
 * (the image's `consul-server-healthcheck`, run for real against the local Consul's autopilot health) passes only
 * for a caught-up voter, so a quorum of servers holding the state remains throughout. With a check that passes as soon
 * as the agent answers HTTP, ECS would stop two old servers before the first replacement caught up, and the
 * datacenter would be lost.
 */
describe('a rolling server change while new servers catch up slowly', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud({
      ecsDelays: { provisioningMs: 20, pendingMs: 20, activatingMs: 20, runningMs: 40, stoppingMs: 20, restartBackoffMs: 5, maxRestartBackoffMs: 20, healthCheckSecondMs: 40 },
      consulServerCatchUpMs: CATCH_UP_MS,
    });
    const run = await deploy(cloud, referenceSpec(), { timeoutMs: 120_000 });
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 240_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('waits for each replacement to be a caught-up voter: no KV key, registration or datacenter is lost', async () => {
    const token = await bootstrapTokenOf(cloud);
    const headers = { 'X-Consul-Token': token };
    const serversBefore = cloud.ecs.runningTasks('consul-server').map((t) => t.taskArn);
    const written = new Map<string, string>();
    let running = true;
    // The fewest servers holding the state (members) seen during the roll, from autopilot's own view.
    let fewestVoters = Number.POSITIVE_INFINITY;
    const writer = (async () => {
      for (let n = 0; running; n += 1) {
        const key = `roll-test/key-${n}`;
        const response = await fetch(`${cloud.endpoints.consul}/v1/kv/${key}`, { method: 'PUT', body: `value-${n}`, headers }).catch(() => undefined);
        if (response?.status === 200) written.set(key, `value-${n}`);
        const voters = cloud.consul.raft().servers?.filter((s) => s.member).length ?? 0;
        fewestVoters = Math.min(fewestVoters, voters);
        await new Promise((resolve) => setTimeout(resolve, 10));
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
    const serversAfter = cloud.ecs.runningTasks('consul-server');
    expect(serversAfter.filter((t) => serversBefore.includes(t.taskArn))).toEqual([]);
    expect(cloud.consul.datacentersLost()).toBe(0);
    // Never fewer than a quorum of the three servers held the state.
    expect(fewestVoters).toBeGreaterThanOrEqual(2);
    expect(written.size).toBeGreaterThan(20);
    const kv = new Map(cloud.consul.catalog().kv.map((e) => [e.Key, e.Value]));
    expect([...written].filter(([key, value]) => kv.get(key) !== value).map(([key]) => key)).toEqual([]);
    // Every new server reports HEALTHY to ECS, and autopilot agrees: each is a caught-up voter.
    expect(serversAfter.map((t) => t.healthStatus)).toEqual(['HEALTHY', 'HEALTHY', 'HEALTHY']);
    expect(cloud.consul.raft().servers?.map((s) => s.member)).toEqual([true, true, true]);
    for (const [cluster, service] of SERVICES) {
      const registered = registeredTaskArns(cloud, service);
      const tasks = runningTaskArns(cloud, cluster, service);
      expect({ service, registered }).toEqual({ service, registered: tasks });
    }
  }, 240_000);
});
