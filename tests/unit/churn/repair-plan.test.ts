import type { CatalogServiceEntry, HealthCheck } from '../../../layers/adapters/consul';
import type { CatalogTask } from '../../../layers/churn/catalog-view';
import { planClusterRepairs, type ClusterSnapshot, type Repair, type TombstoneEntry } from '../../../layers/churn/repair-plan';
import { packRepairs } from '../../../layers/churn/txn-batches';
import { buildRegistration, buildTombstone, parseEcsTask, parseTaskStateChange, type EcsTask } from '../../../layers/domain/registration';
import { loadEvent, type EventFixture } from '../../fixtures/events/load';
import { loadMeshSpec } from '../../../layers/domain/spec';

/** The reference mesh (examples/mesh.yaml). */
const referenceSpec = () => loadMeshSpec('examples/mesh.yaml');

const spec = referenceSpec();
const NOW = new Date('2026-11-25T12:00:00Z');

function task(name: Exclude<EventFixture, 'describe-tasks-running'>, change: (d: Record<string, unknown>) => void = () => undefined): EcsTask {
  const event = loadEvent(name);
  change(event.detail as Record<string, unknown>);
  return parseTaskStateChange(event).detail;
}

/** The described task of the DescribeTasks fixture (users, RUNNING and HEALTHY at version 5). */
const described = (): EcsTask => parseEcsTask((loadEvent('describe-tasks-running') as { tasks: unknown[] }).tasks[0]);

/** What Consul holds after registering `t` (as buildRegistration writes it), at ModifyIndex 40. */
function catalogOf(t: EcsTask, edit: (entry: CatalogTask) => void = () => undefined): Map<string, CatalogTask> {
  const registration = buildRegistration(spec, t);
  // As Consul answers it: JSON, with the entry's Raft index.
  const services = registration.services.map((s): CatalogServiceEntry => ({ ...(JSON.parse(JSON.stringify(s)) as CatalogServiceEntry), ModifyIndex: 40 }));
  const checks: HealthCheck[] = registration.checks.map((c) => ({ ...c }));
  const entry: CatalogTask = { taskArn: t.taskArn, services, checks, instance: services[0] };
  edit(entry);
  return new Map([[t.taskArn, entry]]);
}

function plan(partial: Partial<ClusterSnapshot>) {
  return planClusterRepairs({ spec, cluster: 'cluster-1', now: NOW, catalog: new Map(), running: [], stopped: new Map(), tombstones: [], ...partial });
}

const verbs = (repair: Repair) => repair.ops.map((op) => `${Object.keys(op)[0]}:${Object.values(op)[0].Verb}`);

describe('planClusterRepairs', () => {
  it('registers a running task the catalog lacks, guarded against a concurrent write and a tombstone', () => {
    const { repairs, unchanged } = plan({ running: [described()] });

    expect(unchanged).toBe(0);
    expect(repairs).toHaveLength(1);
    expect(repairs[0].kind).toBe('registered');
    expect(verbs(repairs[0])).toEqual(['KV:check-not-exists', 'Node:set', 'Service:cas', 'Service:set', 'Check:set', 'Check:set']);
    expect(repairs[0].ops[2]).toMatchObject({ Service: { Service: { ID: expect.stringMatching(/^users-/), ModifyIndex: 0 } } });
  });

  it('writes nothing for a task whose registration is in place', () => {
    expect(plan({ running: [described()], catalog: catalogOf(described()) })).toEqual({ repairs: [], unchanged: 1 });
  });

  it('fixes an address, comparing the instance by its ModifyIndex', () => {
    const catalog = catalogOf(described(), (e) => e.services.forEach((s) => (s.Address = '10.9.9.9')));

    const { repairs } = plan({ running: [described()], catalog });

    expect(repairs.map((r) => r.kind)).toEqual(['updatedAddress']);
    expect(repairs[0].ops).toContainEqual({ Service: expect.objectContaining({ Verb: 'cas', Service: expect.objectContaining({ Address: '10.0.1.139', ModifyIndex: 40 }) }) });
  });

  it('fixes a check whose status no longer matches ECS health', () => {
    const catalog = catalogOf(described(), (e) => e.checks.forEach((c) => (c.Status = 'critical')));

    expect(plan({ running: [described()], catalog }).repairs.map((r) => r.kind)).toEqual(['updatedCheck']);
  });

  it('rewrites a registration whose applied version is older, and one that lost its proxy', () => {
    const older = catalogOf(task('task-running'));
    const noProxy = catalogOf(described(), (e) => (e.services = e.services.slice(0, 1)));

    expect(plan({ running: [described()], catalog: older }).repairs.map((r) => r.kind)).toEqual(['updatedRegistration']);
    expect(plan({ running: [described()], catalog: noProxy }).repairs.map((r) => r.kind)).toEqual(['updatedRegistration']);
  });

  it('leaves alone a registration newer than what DescribeTasks reported', () => {
    const newer = catalogOf(task('task-unhealthy', (d) => (d.version = 7)));

    expect(plan({ running: [described()], catalog: newer })).toEqual({ repairs: [], unchanged: 1 });
  });

  it('deregisters the entries of a task ECS stopped, with a tombstone at the newest version known', () => {
    const catalog = catalogOf(task('task-running'));

    const { repairs } = plan({ catalog, stopped: new Map([[described().taskArn, task('task-stopped')]]) });

    expect(repairs.map((r) => r.kind)).toEqual(['deregistered']);
    expect(verbs(repairs[0])).toEqual(['Check:delete', 'Check:delete', 'Service:delete', 'Service:delete', 'KV:cas']);
    const kv = repairs[0].ops[4] as { KV: { Value: string; Index: number } };
    expect(kv.KV.Index).toBe(0);
    expect(JSON.parse(Buffer.from(kv.KV.Value, 'base64').toString())).toMatchObject({ version: 8, reason: expect.stringContaining('EssentialContainerExited') });
  });

  it('tombstones a registered task ECS no longer knows at its registered version', () => {
    const { repairs } = plan({ catalog: catalogOf(task('task-running')) });
    const kv = repairs[0].ops.at(-1) as { KV: { Value: string } };

    expect(JSON.parse(Buffer.from(kv.KV.Value, 'base64').toString())).toMatchObject({ version: 4, reason: 'reconcile: task unknown to ECS' });
  });

  it('removes entries next to an existing tombstone without writing another', () => {
    const stone = buildTombstone(spec, task('task-stopped'), 'stopped', NOW);
    const tombstones: TombstoneEntry[] = [{ key: stone.key, taskId: stone.key.split('/').at(-1) ?? '', modifyIndex: 9, value: stone.value }];

    const { repairs } = plan({ running: [described()], catalog: catalogOf(task('task-running')), tombstones });

    expect(repairs.map((r) => r.kind)).toEqual(['deregistered']);
    expect(verbs(repairs[0])).not.toContain('KV:cas');
  });

  it('deregisters, without tombstone, a running task whose service left the spec', () => {
    const outside = task('task-outside-mesh');
    const catalog = catalogOf(described());
    catalog.set(outside.taskArn, { ...catalog.get(described().taskArn)!, taskArn: outside.taskArn });
    catalog.delete(described().taskArn);

    const { repairs } = plan({ running: [outside], catalog });

    expect(repairs.map((r) => r.kind)).toEqual(['deregistered']);
    expect(verbs(repairs[0]).some((v) => v.startsWith('KV:'))).toBe(false);
    expect(plan({ running: [outside] })).toEqual({ repairs: [], unchanged: 0 });
  });

  it('leaves a starting task to its events', () => {
    const starting = task('task-running', (d) => {
      d.lastStatus = 'PENDING';
      d.containers = [];
    });

    expect(plan({ running: [starting] })).toEqual({ repairs: [], unchanged: 1 });
  });

  it('deletes expired and unreadable tombstones, keeps fresh ones', () => {
    const old = buildTombstone(spec, task('task-stopped'), 'stopped', new Date(NOW.getTime() - 25 * 3600_000));
    const fresh = buildTombstone(spec, task('task-stopped', (d) => (d.taskArn = String(d.taskArn).replace('4f9a', '5f9a'))), 'stopped', NOW);
    const tombstones: TombstoneEntry[] = [
      { key: old.key, taskId: 'a', modifyIndex: 3, value: old.value },
      { key: fresh.key, taskId: 'b', modifyIndex: 4, value: fresh.value },
      { key: 'consul-mesh/reference-mesh/tombstones/cluster-1/garbage', taskId: 'garbage', modifyIndex: 5 },
    ];

    const { repairs } = plan({ tombstones });

    expect(repairs.map((r) => [r.kind, r.ops])).toEqual([
      ['tombstonesExpired', [{ KV: { Verb: 'delete-cas', Key: old.key, Index: 3 } }]],
      ['tombstonesExpired', [{ KV: { Verb: 'delete-cas', Key: 'consul-mesh/reference-mesh/tombstones/cluster-1/garbage', Index: 5 } }]],
    ]);
  });
});

describe('packRepairs', () => {
  const repair = (n: number): Repair => ({ kind: 'registered', subject: `t${n}`, ops: Array.from({ length: 6 }, () => ({ KV: { Verb: 'check-not-exists', Key: `k${n}` } })) });

  it('fills transactions up to 128 operations without splitting a repair', () => {
    const batches = packRepairs(Array.from({ length: 45 }, (_, i) => repair(i)));

    expect(batches.map((b) => b.length)).toEqual([21, 21, 3]);
    expect(batches.every((b) => b.flatMap((r) => r.ops).length <= 128)).toBe(true);
    expect(batches.flat().map((r) => r.subject)).toEqual(Array.from({ length: 45 }, (_, i) => `t${i}`));
  });

  it('sends nothing for no repairs', () => {
    expect(packRepairs([])).toEqual([]);
  });
});
