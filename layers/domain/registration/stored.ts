import * as z from 'zod/mini';
import type { MeshSpec } from '../spec/schema';
import { clusterNameFromArn, taskIdFromArn } from '../naming';
import { META, tombstoneKey } from './keys';
import type { CheckStatus } from './task-facts';
import type { EcsTask } from './task-schema';

/**
 * What the catalog knows about a task, as `decide` needs it.
 *
 * Why tombstones: events are at-least-once and unordered, so a RUNNING event can arrive after the STOPPED one —
 * also after the instance was removed, when there is no `Meta` left to compare versions with. Deregistration
 * therefore writes, in the same transaction, a tombstone under `consul-mesh/<mesh>/tombstones/<cluster>/<taskId>`
 * holding the version that stopped the task. An ECS task never runs again once it is stopping, so any event for
 * a tombstoned task is ignored (`already-deregistered`). The handler reads the instance (Meta) and the tombstone
 * and passes `resolveStored(...)` to `decide`. Tombstones older than TOMBSTONE_TTL_SECONDS are deleted by the
 * scheduled reconcile.
 */
export type StoredRegistration =
  | { state: 'registered'; version: number; address: string; status: CheckStatus; taskArn?: string }
  | { state: 'deregistered'; version: number; taskArn?: string; reason?: string };

/**
 * How long a tombstone is kept: a day. Lambda keeps throttled async events up to 6 h and retries failures for
 * minutes, so no legitimate late event is older than that; a day leaves a wide margin at a few bytes per task.
 */
export const TOMBSTONE_TTL_SECONDS = 24 * 60 * 60;

export const TombstoneValueSchema = z.object({
  state: z.literal('deregistered'),
  taskArn: z.string(),
  cluster: z.string(),
  version: z.number().check(z.int()).check(z.gte(0)),
  reason: z.string(),
  deregisteredAt: z.string(),
});
export type TombstoneValue = z.output<typeof TombstoneValueSchema>;
export interface Tombstone {
  key: string;
  value: TombstoneValue;
}

/** The tombstone of a task being deregistered; `now` comes from the caller (the domain has no clock). */
export function buildTombstone(spec: Pick<MeshSpec, 'name'>, task: Pick<EcsTask, 'taskArn' | 'clusterArn' | 'version'>, reason: string, now: Date): Tombstone {
  const cluster = clusterNameFromArn(task.clusterArn);
  return {
    key: tombstoneKey(spec, cluster, taskIdFromArn(task.taskArn)),
    value: { state: 'deregistered', taskArn: task.taskArn, cluster, version: task.version, reason, deregisteredAt: now.toISOString() },
  };
}

/** Reads a tombstone from a KV value (already base64-decoded). Anything malformed counts as no tombstone. */
export function parseTombstone(text: string | undefined | null): TombstoneValue | undefined {
  if (!text) return undefined;
  try {
    const parsed = TombstoneValueSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function isTombstoneExpired(value: TombstoneValue, now: Date, ttlSeconds = TOMBSTONE_TTL_SECONDS): boolean {
  return now.getTime() - Date.parse(value.deregisteredAt) > ttlSeconds * 1000;
}

/** The instance as the catalog returns it (`/v1/catalog/service` or `/v1/health/service` entries). */
export interface CatalogInstance {
  Address?: string;
  ServiceAddress?: string;
  Meta?: Record<string, string> | null;
  ServiceMeta?: Record<string, string> | null;
}

/**
 * The stored registration from the catalog's instance and its `:ecs-health` check status. An instance without a
 * readable `task-version` was not written by this model: it counts as version 0, so any real event supersedes it.
 */
export function storedFromCatalog(instance: CatalogInstance, checkStatus: string | undefined): StoredRegistration {
  const meta = instance.ServiceMeta ?? instance.Meta ?? {};
  const version = Number(meta[META.taskVersion]);
  return {
    state: 'registered',
    version: Number.isInteger(version) && version >= 0 ? version : 0,
    address: instance.ServiceAddress ?? instance.Address ?? '',
    status: checkStatus === 'passing' ? 'passing' : 'critical',
    taskArn: meta[META.taskArn],
  };
}

/**
 * What `decide` gets: a tombstone wins over a catalog entry (a task once stopping never runs again; an entry
 * next to a tombstone is drift for the reconcile), then the catalog entry, else nothing.
 */
export function resolveStored(instance: StoredRegistration | undefined, tombstone: TombstoneValue | undefined): StoredRegistration | undefined {
  if (tombstone) return { state: 'deregistered', version: tombstone.version, taskArn: tombstone.taskArn, reason: tombstone.reason };
  return instance;
}
