import { StopTaskCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { deployedSpecKey } from '../../../layers/deploy/config-entries';
import { tombstoneKey } from '../../../layers/domain/registration';
import { taskIdFromArn } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec';
import { ConsulUnavailableError } from '../../../layers/errors';
import { referenceSpec } from './consul-support';
import { eventually, startMeshCloud, type MeshCloud } from './mesh-cloud';

/** The reference mesh, smaller: users ×2, activities, todos, notifications and the gateway ×1 (six tasks). */
function smallSpec(): MeshSpec {
  const spec = referenceSpec();
  for (const cluster of spec.clusters) for (const service of cluster.services) service.desiredCount = service.name === 'users' ? 2 : 1;
  return spec;
}
const COUNTS = { users: 2, activities: 1, todos: 1, notifications: 1, 'ingress-gateway': 1 };
const ECS = 'AmazonEC2ContainerServiceV20141113';

describe('reconcileMesh against the local ECS simulation and Consul', () => {
  let cloud: MeshCloud;

  beforeEach(async () => {
    cloud = await startMeshCloud(smallSpec());
    await cloud.settle(COUNTS);
  });

  afterEach(async () => {
    await cloud.close();
  });

  /** The registered users instances equal ECS's running users tasks (task ARN → IP). */
  const expectUsersInSync = () => {
    const running = new Map(cloud.running('users').map((t) => [t.taskArn, t.privateIp]));
    expect(cloud.registered('users')).toEqual(running);
  };

  it('finds nothing to repair once the events registered every task', async () => {
    expectUsersInSync();
    const before = cloud.consul.writeCount();

    const summary = await cloud.reconcile();

    expect(summary).toMatchObject({ registered: 0, deregistered: 0, updatedAddress: 0, updatedCheck: 0, updatedRegistration: 0, unchanged: 6, consulWrites: 0 });
    expect(cloud.consul.writeCount()).toBe(before);
    expect(cloud.events.onFailure()).toEqual([]);
  });

  it('registers the tasks of a scale-up whose events were dropped, in one write', async () => {
    cloud.faults.set({ events: { drop: 1 } });
    await cloud.ecsClient.send(new UpdateServiceCommand({ cluster: 'cluster-1', service: 'users', desiredCount: 5 }));
    await cloud.settle({ ...COUNTS, users: 5 });
    expect(cloud.registered('users').size).toBe(2);

    const summary = await cloud.reconcile();

    expect(summary).toMatchObject({ registered: 3, deregistered: 0, unchanged: 6, consulWrites: 1 });
    expectUsersInSync();
    const checks = cloud.consul.catalog().checks.filter((c) => c.ServiceName.startsWith('users'));
    expect(checks).toHaveLength(10);
    expect(checks.every((c) => c.Status === 'passing')).toBe(true);
  });

  it('deregisters stopped tasks whose events were dropped, tombstones them, and registers their replacements', async () => {
    const [stoppedA, stoppedB] = cloud.running('users');
    const lateRunning = cloud.emitted.filter((e) => e.detail.taskArn === stoppedA.taskArn && e.detail.lastStatus === 'RUNNING').at(-1);
    cloud.faults.set({ events: { drop: 1 } });
    for (const task of [stoppedA, stoppedB]) await cloud.ecsClient.send(new StopTaskCommand({ cluster: 'cluster-1', task: task.taskArn, reason: 'test' }));
    await cloud.settle(COUNTS);

    const summary = await cloud.reconcile();

    expect(summary).toMatchObject({ registered: 2, deregistered: 2, unchanged: 4 });
    expectUsersInSync();
    const kv = cloud.consul.catalog().kv.map((e) => e.Key);
    expect(kv).toEqual(expect.arrayContaining([stoppedA, stoppedB].map((t) => tombstoneKey(cloud.spec, 'cluster-1', taskIdFromArn(t.taskArn)))));

    // A late RUNNING event of a stopped task, delivered after the repair, does not bring it back.
    cloud.faults.set({ events: { drop: 0 } });
    cloud.events.publish(structuredClone(lateRunning!));
    await cloud.events.drain();
    expectUsersInSync();
    expect(cloud.events.onFailure()).toEqual([]);
  });

  it('deletes tombstones once they are older than a day', async () => {
    await cloud.ecsClient.send(new StopTaskCommand({ cluster: 'cluster-1', task: cloud.running('users')[0].taskArn }));
    await cloud.settle(COUNTS);
    const tombstones = () => cloud.consul.catalog().kv.filter((e) => e.Key.includes('/tombstones/'));
    expect(tombstones()).toHaveLength(1);

    const sameDay = await cloud.reconcile();
    const nextDay = await cloud.reconcile({ now: () => new Date(Date.now() + 25 * 3600_000) });

    expect(sameDay.tombstonesExpired).toBe(0);
    expect(nextDay).toMatchObject({ tombstonesExpired: 1, consulWrites: 1 });
    expect(tombstones()).toEqual([]);
  });

  it('moves an instance whose address drifted back to its task address', async () => {
    const [task] = cloud.running('users');
    const id = `users-${task.taskId}`;
    const entry = cloud.consul.catalog().services.find((s) => s.ID === id)!;
    await cloud.consulClient.txn([{ Service: { Verb: 'set', Node: 'cluster-1', Service: { ID: id, Service: 'users', Address: '10.99.0.1', Port: entry.Port, Tags: [...(entry.Tags ?? [])], Meta: { ...entry.Meta } } } }]);
    expect(cloud.registered('users').get(task.taskArn)).toBe('10.99.0.1');

    const summary = await cloud.reconcile();

    expect(summary).toMatchObject({ updatedAddress: 1, registered: 0, deregistered: 0, unchanged: 5, consulWrites: 1 });
    expectUsersInSync();
  });

  it('writes nothing on a second pass and makes exactly the ECS calls its pages need', async () => {
    cloud.faults.set({ events: { drop: 1 } });
    await cloud.ecsClient.send(new UpdateServiceCommand({ cluster: 'cluster-1', service: 'activities', desiredCount: 101 }));
    await cloud.settle({ ...COUNTS, activities: 101 });
    const first = await cloud.reconcile();
    cloud.endpoint.resetCallCounts();
    const writes = cloud.consul.writeCount();

    const second = await cloud.reconcile();

    // 100 activities were missing: 100 registrations of 6 operations, 21 to a transaction.
    expect(first).toMatchObject({ registered: 100, consulWrites: 5 });
    expect(second).toMatchObject({ registered: 0, deregistered: 0, updatedAddress: 0, updatedCheck: 0, updatedRegistration: 0, unchanged: 106, consulWrites: 0 });
    expect(cloud.consul.writeCount()).toBe(writes);
    // cluster-1 holds 103 tasks: two pages; cluster-2 and ingress one page each.
    expect(cloud.endpoint.callCounts()).toEqual({ [`${ECS}.ListTasks`]: 4, [`${ECS}.DescribeTasks`]: 4 });
    expect(second.ecsCalls).toBe(8);
  });

  it('heals what events lost while Consul was down, after the outage', async () => {
    cloud.faults.takeConsulDown(60_000);
    await cloud.ecsClient.send(new UpdateServiceCommand({ cluster: 'cluster-2', service: 'todos', desiredCount: 3 }));
    await cloud.settle({ ...COUNTS, todos: 3 });

    await expect(cloud.reconcile()).rejects.toBeInstanceOf(ConsulUnavailableError);
    const failed = cloud.events.onFailure();
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((f) => f.responsePayload.errorType))).toEqual(new Set(['ConsulUnavailable']));
    expect(failed[0].requestContext.approximateInvokeCount).toBe(3);

    cloud.faults.set({ consulDownUntil: 0 });
    const summary = await cloud.reconcile();

    expect(summary).toMatchObject({ registered: 2, failedClusters: [] });
    expect(new Map(cloud.running('todos').map((t) => [t.taskArn, t.privateIp]))).toEqual(cloud.registered('todos'));
  });

  it('delivers no event of a cluster outside the mesh (the rule pattern comes from serverless/mesh-events.js)', async () => {
    const before = cloud.delivered.length;
    await cloud.addService('batch-jobs', 'reports', 2);
    await eventually(() => cloud.ecs.runningTasks('batch-jobs').filter((t) => t.healthStatus === 'HEALTHY').length === 2);
    await cloud.events.drain();

    expect(cloud.emitted.filter((e) => String(e.detail.clusterArn).endsWith('/batch-jobs')).length).toBeGreaterThan(0);
    expect(cloud.delivered.slice(before)).toEqual([]);
    expect(await cloud.reconcile()).toMatchObject({ clusters: 3, unchanged: 6, consulWrites: 0 });
  });

  it('logs one summary line and publishes the counts as metrics', async () => {
    await cloud.reconcile();

    const line = cloud.logger.lines.find((l) => l.message === 'reconcile summary');
    expect(line?.attributes).toMatchObject({ mesh: 'reference-mesh', clusters: 3, unchanged: 6, consulWrites: 0 });
    expect(cloud.metrics.values).toMatchObject({ ReconcileRegistered: 0, ReconcileDeregistered: 0, ReconcileUnchanged: 6, ReconcileConsulWrites: 0, ReconcileEcsCalls: 6 });
  });

  it('logs one activity line per run: clusters, tasks seen and repairs by kind', async () => {
    await cloud.reconcile();

    // The task events of the cluster's start are logged by the event handler into the same recorder: keep the run's.
    const lines = cloud.logger.lines.filter((l) => l.message === 'activity' && l.attributes.activity === 'reconcile');
    expect(lines).toHaveLength(1);
    expect(lines[0].attributes).toMatchObject({
      activity: 'reconcile',
      mesh: 'reference-mesh',
      clusters: 3,
      tasksSeen: 6,
      repairs: { registered: 0, deregistered: 0, updatedAddress: 0, updatedCheck: 0, updatedRegistration: 0, tombstonesExpired: 0 },
      failedClusters: [],
      durationMs: expect.any(Number),
    });
  });

  it('never deregisters a running task of a service a deployment just added, whatever spec its container has cached', async () => {
    // A spec without notifications, loaded by the reconcile's container (and its tasks deregistered: they left the mesh).
    const without = structuredClone(cloud.spec);
    without.clusters[1].services = without.clusters[1].services.filter((s) => s.name !== 'notifications');
    await cloud.consulClient.kvPut(deployedSpecKey(without), JSON.stringify(without));
    await cloud.reconcile();
    expect(cloud.registered('notifications').size).toBe(0);

    // A deployment adds it back: the new spec is stored, and an event of its running task registers it.
    await cloud.consulClient.kvPut(deployedSpecKey(cloud.spec), JSON.stringify(cloud.spec));
    const [task] = cloud.running('notifications');
    const running = cloud.emitted.filter((e) => e.detail.taskArn === task.taskArn && e.detail.lastStatus === 'RUNNING').at(-1);
    cloud.events.publish(structuredClone(running!));
    await cloud.events.drain();
    expect([...cloud.registered('notifications').keys()]).toEqual([task.taskArn]);

    // The reconcile's container still holds the old spec (SPEC_CACHE_SECONDS): it must not take the task for one that
    // left the mesh, since the spec the registration was written under is newer than its cache.
    const summary = await cloud.reconcile({ specMaxAgeMs: 60_000 });

    expect(summary.deregistered).toBe(0);
    expect([...cloud.registered('notifications').keys()]).toEqual([task.taskArn]);
  });

  it('rewrites the registrations a deployment changed at its next run, whatever spec an earlier run read', async () => {
    const proxyUpstreams = () =>
      cloud.consul
        .catalog()
        .services.filter((s) => s.Service === 'users-sidecar-proxy')
        .map((s) => ((s.Proxy as { Upstreams?: Array<{ DestinationName: string }> } | null)?.Upstreams ?? []).map((u) => u.DestinationName));
    // A deployment without users' upstream: the reconcile (its default settings, as scheduled) follows it.
    const without = structuredClone(cloud.spec);
    without.clusters[0].services[0].upstreams = [];
    await cloud.consulClient.kvPut(deployedSpecKey(without), JSON.stringify(without));
    await cloud.reconcile({ specMaxAgeMs: undefined });
    expect(proxyUpstreams()).toEqual([[], []]);

    // The next deployment brings the upstream back: the very next run must write it, not keep the spec it read before.
    await cloud.consulClient.kvPut(deployedSpecKey(cloud.spec), JSON.stringify(cloud.spec));
    await cloud.reconcile({ specMaxAgeMs: undefined });
    expect(proxyUpstreams()).toEqual([['todos'], ['todos']]);
  });
});
