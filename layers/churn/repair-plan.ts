import { taskIdFromArn } from '../domain/naming';
import {
  buildDeregisterTxnOps,
  buildRegistration,
  buildTombstone,
  buildTxnOps,
  deleteKeyIfUnchanged,
  findMember,
  guardDeregistration,
  guardRegistration,
  healthCheckId,
  isTombstoneExpired,
  storedFromCatalog,
  stopDetail,
  taskAddress,
  taskPhase,
  tombstoneKey,
  type EcsTask,
  type TombstoneValue,
  type TxnOp,
} from '../domain/registration';
import type { MeshSpec } from '../domain/spec/schema';
import type { CatalogTask } from './catalog-view';
import { diffRegistration } from './registration-diff';

/** The kinds of repair the reconcile counts (each repaired task counts once, under its first kind of drift). */
export type RepairKind = 'registered' | 'deregistered' | 'updatedAddress' | 'updatedCheck' | 'updatedRegistration' | 'tombstonesExpired';

/** One task's (or one tombstone's) repair: operations that must commit together. */
export interface Repair {
  kind: RepairKind;
  /** The task, or the tombstone key. */
  subject: string;
  ops: TxnOp[];
}

/** A tombstone as listed from KV; `value` is undefined when it does not parse (such a key protects nothing). */
export interface TombstoneEntry {
  key: string;
  taskId: string;
  modifyIndex: number;
  value?: TombstoneValue;
}

export interface ClusterSnapshot {
  spec: MeshSpec;
  cluster: string;
  now: Date;
  /** The cluster's catalog entries, by task ARN (read first, see reconcile-cluster.ts). */
  catalog: ReadonlyMap<string, CatalogTask>;
  /** Tasks ECS wants running (desiredStatus RUNNING), as DescribeTasks describes them. */
  running: readonly EcsTask[];
  /** Tasks with catalog entries that ECS does not want running, as DescribeTasks last described them (if it still knows them). */
  stopped: ReadonlyMap<string, EcsTask>;
  tombstones: readonly TombstoneEntry[];
}

/**
 * The repairs that make one cluster's synthetic node equal to its running tasks (pure):
 * - a running mesh task without entries → register; with entries that differ → update (address, check, or the
 *   rest of the registration); a running task the catalog holds at a newer version than DescribeTasks
 *   reported → left alone (a newer state never loses);
 * - entries of a task ECS does not want running → deregister, with a tombstone (unless one exists) holding the
 *   newest version known, so a late RUNNING event cannot bring it back;
 * - entries of a running task that is no longer a mesh member → deregister without tombstone (`left-mesh`);
 * - entries next to a tombstone → deregister (the tombstone already exists);
 * - tombstones past their TTL, or unreadable → delete (KV `delete-cas`).
 * Starting tasks and tasks without an address yet are left to their events. Everything else is `unchanged`.
 */
export function planClusterRepairs(snapshot: ClusterSnapshot): { repairs: Repair[]; unchanged: number } {
  const { spec, cluster, now, catalog } = snapshot;
  const repairs: Repair[] = [];
  let unchanged = 0;
  const tombstones = new Map<string, TombstoneValue>();
  for (const entry of snapshot.tombstones) {
    if (entry.value) tombstones.set(entry.taskId, entry.value);
    if (!entry.value || isTombstoneExpired(entry.value, now)) {
      repairs.push({ kind: 'tombstonesExpired', subject: entry.key, ops: [deleteKeyIfUnchanged(entry.key, entry.modifyIndex)] });
    }
  }

  const seen = new Set<string>();
  for (const task of snapshot.running) {
    seen.add(task.taskArn);
    const entries = catalog.get(task.taskArn);
    const taskId = taskIdFromArn(task.taskArn);
    const member = findMember(spec, task);
    const registrable = member && member.role !== 'server' ? member : undefined;
    if (tombstones.has(taskId) || !registrable || taskPhase(task) === 'stopping') {
      if (!entries) {
        if (registrable) unchanged++;
        continue;
      }
      // Tombstoned already, left the mesh (still running: no tombstone), or stopping (tombstone it).
      const tombstone = tombstones.has(taskId) || !registrable ? undefined : buildTombstone(spec, task, `reconcile: ${stopDetail(task) ?? 'stopping'}`, now);
      repairs.push({ kind: 'deregistered', subject: task.taskArn, ops: deregisterOps(cluster, entries, tombstone) });
      continue;
    }
    const address = taskAddress(task);
    if (taskPhase(task) === 'starting' || !address) {
      unchanged++;
      continue;
    }
    const registration = buildRegistration(spec, task, { address });
    const instanceId = registration.services[0].ID;
    const guard = { instanceId, modifyIndex: 0, tombstoneKey: tombstoneKey(spec, cluster, taskId) };
    if (!entries) {
      repairs.push({ kind: 'registered', subject: task.taskArn, ops: guardRegistration(buildTxnOps(registration), guard) });
      continue;
    }
    const instance = entries.services.find((s) => s.ID === instanceId);
    if (instance && storedFromCatalog(instance, undefined).version > task.version) {
      unchanged++;
      continue;
    }
    const drift = diffRegistration(registration, entries);
    if (drift.kinds.length === 0) {
      unchanged++;
      continue;
    }
    const ops = guardRegistration(buildTxnOps(registration), { ...guard, modifyIndex: instance?.ModifyIndex ?? 0 });
    ops.push(...buildDeregisterTxnOps(cluster, { services: drift.extraServices, checkIds: drift.extraCheckIds }));
    repairs.push({ kind: KIND_OF[drift.kinds[0]], subject: task.taskArn, ops });
  }

  for (const entries of catalog.values()) {
    if (seen.has(entries.taskArn)) continue;
    const taskId = taskIdFromArn(entries.taskArn);
    const last = snapshot.stopped.get(entries.taskArn);
    const storedVersion = entries.instance ? storedFromCatalog(entries.instance, undefined).version : 0;
    const reason = last ? `reconcile: ${stopDetail(last) ?? 'not running'}` : 'reconcile: task unknown to ECS';
    const tombstone = tombstones.has(taskId)
      ? undefined
      : buildTombstone(spec, { taskArn: entries.taskArn, clusterArn: cluster, version: Math.max(last?.version ?? 0, storedVersion) }, reason, now);
    repairs.push({ kind: 'deregistered', subject: entries.taskArn, ops: deregisterOps(cluster, entries, tombstone) });
  }
  return { repairs, unchanged };
}

const KIND_OF = { address: 'updatedAddress', check: 'updatedCheck', registration: 'updatedRegistration' } as const;

/** Deletes every entry of the task (and its health checks, present or not), optionally writing its tombstone. */
function deregisterOps(cluster: string, entries: CatalogTask, tombstone: ReturnType<typeof buildTombstone> | undefined): TxnOp[] {
  const services = entries.services.map((s) => ({ ID: s.ID, Service: s.Service }));
  const checkIds = [...new Set([...entries.checks.map((c) => c.CheckID), ...services.map((s) => healthCheckId(s.ID))])];
  return guardDeregistration(buildDeregisterTxnOps(cluster, { services, checkIds }, tombstone));
}
