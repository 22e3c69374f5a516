import { instanceId, sidecarId, taskIdFromArn } from '../domain/naming';
import {
  parseTombstone,
  registrationIds,
  resolveStored,
  storedFromCatalog,
  tombstoneKey,
  type EcsTask,
  type RegistrableMember,
  type StoredRegistration,
} from '../domain/registration';
import type { MeshSpec } from '../domain/spec/schema';
import type { TaskEventConsul } from './ports';

/** What the catalog holds for one task, with what the write guards need. */
export interface StoredTask {
  stored: StoredRegistration | undefined;
  /** The instance's service ID (looked up by ID, as buildRegistration names it). */
  instanceId: string;
  /** The instance's ModifyIndex, 0 when not registered (see guardRegistration, domain/registration/txn.ts). */
  modifyIndex: number;
  tombstoneKey: string;
}

/**
 * Reads the task's instance from its cluster's synthetic node and its tombstone, in parallel: two reads, no write.
 * The node read carries a `?filter` on the task's own service IDs, so the Consul servers answer the task's one or
 * two entries instead of every service of the cluster (hundreds of KB per event on a large cluster); the
 * reconcile, which needs whole nodes, reads them unfiltered.
 * The check status is not read: an event always writes the status its task implies, so `decide` needs only
 * the version and address (the reconcile compares checks).
 */
export async function readStoredTask(consul: TaskEventConsul, spec: MeshSpec, task: EcsTask, cluster: string, member: RegistrableMember | undefined): Promise<StoredTask> {
  const taskId = taskIdFromArn(task.taskArn);
  const ids = member ? registrationIds(member).serviceIds : idsFromGroup(task, taskId);
  const id = ids[0];
  const key = tombstoneKey(spec, cluster, taskId);
  const [node, tombstone] = await Promise.all([
    consul.nodeServices(cluster, { filter: buildIdFilter(ids) }),
    consul.kvGet(key),
  ]);
  const instance = (node?.Services ?? []).find((s) => s.ID === id);
  const registered = instance ? storedFromCatalog(instance, undefined) : undefined;
  return {
    stored: resolveStored(registered, parseTombstone(tombstone?.value)),
    instanceId: id,
    modifyIndex: instance?.ModifyIndex ?? 0,
    tombstoneKey: key,
  };
}

/** The instance and sidecar IDs decide gives a task whose service left the spec (named after its group). */
function idsFromGroup(task: EcsTask, taskId: string): string[] {
  const name = groupName(task) ?? taskId;
  return [instanceId(name, taskId), sidecarId(name, taskId)];
}

/**
 * `ID == "a" or ID == "b"`: a Consul filter expression (go-bexpr) selecting services by ID. A double-quoted
 * literal cannot hold a `"` in that grammar, so such an ID is written as a backtick raw string.
 * @example buildIdFilter(['users-1', 'users-1-sidecar-proxy']) // 'ID == "users-1" or ID == "users-1-sidecar-proxy"'
 */
export function buildIdFilter(ids: readonly string[]): string {
  return ids.map((id) => `ID == ${id.includes('"') ? `\`${id}\`` : `"${id}"`}`).join(' or ');
}

/** `service:<name>` → `<name>` (how decide names the entries of a task whose service left the spec). */
function groupName(task: EcsTask): string | undefined {
  return task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
}
