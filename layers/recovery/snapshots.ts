import type { S3Api } from '../adapters/s3';
import type { ConsulApi } from '../adapters/consul';
import type { ConsulSnapshotApi } from '../adapters/consul-snapshot';
import type { ChurnLogger, ChurnMetrics } from '../churn/ports';
import { datacenterMarkerKey, deployedSpecKey } from '../deploy/config-entries';
import { ConsulUnavailableError } from '../errors';

/**
 * Raft snapshots of the mesh's Consul datacenter in S3 (issue: losing every server loses nothing the mesh needs).
 *
 * A snapshot (`GET /v1/snapshot`) holds everything the servers hold: KV written by anyone (the tombstones of stopped
 * tasks included), ACL policies and tokens, config entries, the catalog. The SSM copies bring back only what the
 * orchestrator wrote; a snapshot brings back the rest. Objects are keyed by time, newest first
 * (`snapshots/<mesh>/<inverted epoch ms>-<ISO time>-<index>.snap`), so the latest is the first key of one listing
 * (ListObjectsV2 lists in key order) however many the retention keeps; the bucket's lifecycle rule expires old ones.
 */

/** Where the stack's snapshot bucket is and the narrow S3 client to reach it. */
export interface SnapshotStore {
  s3: Pick<S3Api, 'putObject' | 'firstKey' | 'getObjectBytes'>;
  bucket: string;
}

/** Inverting the time makes the newest key sort first; 13 digits cover epoch milliseconds until the year 2286. */
const TIME_CEILING = 9_999_999_999_999;

export function snapshotPrefix(meshName: string): string {
  return `snapshots/${meshName}/`;
}

/** @example snapshotKey('shop', Date.parse('2026-12-06T13:00:00Z'), 42) // 'snapshots/shop/8234...-2026-12-06T13-00-00.000Z-42.snap' */
export function snapshotKey(meshName: string, takenAtMs: number, index: number): string {
  const inverted = String(TIME_CEILING - takenAtMs).padStart(13, '0');
  return `${snapshotPrefix(meshName)}${inverted}-${new Date(takenAtMs).toISOString().replace(/:/g, '-')}-${index}.snap`;
}

/** When the snapshot of `key` was taken (epoch ms), read back from the key; undefined for a key of another shape. */
export function snapshotTakenAt(key: string): number | undefined {
  const inverted = /\/(\d{13})-[^/]*\.snap$/.exec(key)?.[1];
  return inverted === undefined ? undefined : TIME_CEILING - Number(inverted);
}

export interface SnapshotDeps {
  meshName: string;
  /** With a token holding `acl:write` (Consul's snapshot permission): the management token here. */
  consul: ConsulSnapshotApi & Pick<ConsulApi, 'leader' | 'kvGet'>;
  store: SnapshotStore;
  logger: ChurnLogger;
  metrics: ChurnMetrics;
  now?: () => number;
}

export type SnapshotResult =
  | { status: 'no-leader' | 'not-marked' | 'disabled' }
  | { status: 'taken'; key: string; index: number; bytes: number };

/**
 * Takes a snapshot of the datacenter and stores it, when snapshots are on in the deployed spec
 * (`consul.snapshots.enabled`). Only a datacenter that carries the marker is saved: a fresh one (every server lost,
 * not restored yet) or one being restored would store an empty or partial state as the latest.
 */
export async function takeSnapshot(deps: SnapshotDeps): Promise<SnapshotResult> {
  const leader = await deps.consul.leader().catch((error: unknown) => {
    if (error instanceof ConsulUnavailableError) return '';
    throw error;
  });
  if (!leader) return { status: 'no-leader' };
  if (!(await deps.consul.kvGet(datacenterMarkerKey({ name: deps.meshName })))) {
    deps.logger.info('no datacenter marker: no snapshot of a datacenter that is not set up or not restored yet', { mesh: deps.meshName });
    return { status: 'not-marked' };
  }
  const deployed = await deps.consul.kvGet(deployedSpecKey({ name: deps.meshName }));
  if (!snapshotsEnabled(deployed?.value)) return { status: 'disabled' };
  const snapshot = await deps.consul.saveSnapshot();
  const takenAt = (deps.now ?? Date.now)();
  const key = snapshotKey(deps.meshName, takenAt, snapshot.index);
  await deps.store.s3.putObject({
    Bucket: deps.store.bucket,
    Key: key,
    Body: snapshot.archive,
    ContentType: 'application/x-gzip',
    // The archive holds every ACL token's secret: encrypted at rest (the bucket's default too).
    ServerSideEncryption: 'AES256',
    Metadata: { 'consul-index': String(snapshot.index), mesh: deps.meshName },
  });
  deps.logger.info('consul snapshot stored', { mesh: deps.meshName, key, index: snapshot.index, bytes: snapshot.archive.byteLength });
  deps.metrics.addMetric('DatacenterSnapshotTaken', 'Count', 1);
  return { status: 'taken', key, index: snapshot.index, bytes: snapshot.archive.byteLength };
}

/** The deployed spec (KV, JSON) says whether snapshots are on; a spec without the option predates it: on. */
function snapshotsEnabled(specJson: string | null | undefined): boolean {
  if (!specJson) return false;
  try {
    const spec = JSON.parse(specJson) as { consul?: { snapshots?: { enabled?: unknown } } };
    return spec.consul?.snapshots?.enabled !== false;
  } catch {
    return false;
  }
}

/** The newest stored snapshot of the mesh, or undefined when none is kept (never taken, or all expired). */
export async function latestSnapshot(meshName: string, store: SnapshotStore): Promise<{ key: string; archive: Uint8Array } | undefined> {
  const key = await store.s3.firstKey(store.bucket, snapshotPrefix(meshName));
  if (!key) return undefined;
  const archive = await store.s3.getObjectBytes(store.bucket, key);
  return archive ? { key, archive } : undefined;
}
