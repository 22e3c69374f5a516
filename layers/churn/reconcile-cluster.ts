import { findMember, tombstoneKey, parseTombstone, type EcsTask } from '../domain/registration';
import type { MeshSpec } from '../domain/spec/schema';
import { groupByTask } from './catalog-view';
import { describeTasks, listClusterTasks } from './ecs-tasks';
import type { EcsTasksApi, ReconcileConsul } from './ports';
import { planClusterRepairs, type RepairKind, type TombstoneEntry } from './repair-plan';
import { writeRepairs } from './txn-batches';

export type RepairCounts = Record<RepairKind, number>;

export interface ClusterReconcileResult {
  cluster: string;
  repaired: RepairCounts;
  unchanged: number;
  conflicts: number;
  ecsCalls: number;
  consulWrites: number;
  /** Catalog entries on the node that no task owns (no `task-arn` Meta): reported, never touched. */
  foreign: number;
}

export interface ClusterReconcileDeps {
  consul: ReconcileConsul;
  ecs: EcsTasksApi;
  now: Date;
  /** The deployed spec read from Consul now, bypassing the container's cache (see reconcileCluster). */
  freshSpec?: () => Promise<MeshSpec | undefined>;
}

/**
 * Reconciles one cluster's synthetic node with its ECS tasks.
 *
 * Order matters: the catalog is read before ECS. An entry then missing from ECS's running list was registered
 * before the listing began, so its task really is not wanted running; read the other way round, a task started
 * (and registered by its event) between the two reads would look like drift and be tombstoned while running.
 * Entries whose task is not listed are still described once more (ListTasks can lag behind a task's start), and
 * a task described as wanted running is reconciled as running. Nothing is written when nothing differs.
 *
 * A running task whose entries the spec does not account for (its service left the mesh) is deregistered only by a
 * spec read after the catalog: the container's cached spec (SPEC_CACHE_SECONDS) may predate the deployment that added
 * the service, whose tasks the event handler registered with the new one; deregistering them would take running
 * tasks out of the catalog until their next event.
 */
export async function reconcileCluster(spec: MeshSpec, cluster: string, deps: ClusterReconcileDeps): Promise<ClusterReconcileResult> {
  const prefix = tombstoneKey(spec, cluster, '');
  const [node, checks, tombstoneKeys] = await Promise.all([
    deps.consul.nodeServices(cluster),
    deps.consul.nodeChecks(cluster),
    deps.consul.kvList(prefix),
  ]);
  const listed = await listClusterTasks(deps.ecs, cluster);
  let ecsCalls = listed.calls;
  const catalog = groupByTask(node?.Services ?? [], checks);

  const running: EcsTask[] = [...listed.tasks];
  const stopped = new Map<string, EcsTask>();
  const listedArns = new Set(listed.tasks.map((t) => t.taskArn));
  const unlisted = [...catalog.tasks.keys()].filter((arn) => !listedArns.has(arn));
  if (unlisted.length > 0 && listed.clusterExists) {
    const described = await describeTasks(deps.ecs, cluster, unlisted);
    ecsCalls += described.calls;
    for (const task of described.tasks) {
      if (task.desiredStatus === 'RUNNING') running.push(task);
      else stopped.set(task.taskArn, task);
    }
  }

  const leftMesh = running.some((task) => catalog.tasks.has(task.taskArn) && !isRegistrable(spec, task));
  const current = (leftMesh && (await deps.freshSpec?.())) || spec;

  const tombstones: TombstoneEntry[] = tombstoneKeys.map((entry) => ({
    key: entry.key,
    taskId: entry.key.slice(prefix.length),
    modifyIndex: entry.modifyIndex,
    value: parseTombstone(entry.value),
  }));
  const plan = planClusterRepairs({ spec: current, cluster, now: deps.now, catalog: catalog.tasks, running, stopped, tombstones });
  const written = await writeRepairs(deps.consul, plan.repairs);

  const repaired: RepairCounts = { registered: 0, deregistered: 0, updatedAddress: 0, updatedCheck: 0, updatedRegistration: 0, tombstonesExpired: 0 };
  for (const repair of written.committed) repaired[repair.kind]++;
  return {
    cluster,
    repaired,
    unchanged: plan.unchanged,
    conflicts: written.conflicts.length,
    ecsCalls,
    consulWrites: written.writes,
    foreign: catalog.foreign.length,
  };
}

/** A task the spec registers (a mesh service or the gateway; servers never are). */
function isRegistrable(spec: MeshSpec, task: EcsTask): boolean {
  const member = findMember(spec, task);
  return member !== undefined && member.role !== 'server';
}
