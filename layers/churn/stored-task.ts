import { instanceId, taskIdFromArn } from '../domain/naming';
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
  /** The instance's ModifyIndex, 0 when not registered (see txn-guard.ts). */
  modifyIndex: number;
  tombstoneKey: string;
}

/**
 * Reads the task's instance from its cluster's synthetic node and its tombstone, in parallel: two reads, no write.
 * The check status is not read: an event always writes the status its task implies, so `decide` needs only
 * the version and address (the reconcile compares checks).
 */
export async function readStoredTask(consul: TaskEventConsul, spec: MeshSpec, task: EcsTask, cluster: string, member: RegistrableMember | undefined): Promise<StoredTask> {
  const taskId = taskIdFromArn(task.taskArn);
  const id = member ? registrationIds(member).serviceIds[0] : instanceId(groupName(task) ?? taskId, taskId);
  const key = tombstoneKey(spec, cluster, taskId);
  const [node, tombstone] = await Promise.all([consul.nodeServices(cluster), consul.kvGet(key)]);
  const instance = (node?.Services ?? []).find((s) => s.ID === id);
  const registered = instance ? storedFromCatalog(instance, undefined) : undefined;
  return {
    stored: resolveStored(registered, parseTombstone(tombstone?.value)),
    instanceId: id,
    modifyIndex: instance?.ModifyIndex ?? 0,
    tombstoneKey: key,
  };
}

/** `service:<name>` → `<name>` (how decide names the entries of a task whose service left the spec). */
function groupName(task: EcsTask): string | undefined {
  return task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
}
