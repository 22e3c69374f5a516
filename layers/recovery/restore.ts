import type { SsmApi } from '../adapters/ssm';
import type { ConsulApi } from '../adapters/consul';
import type { ConsulAclApi } from '../adapters/consul-acl';
import type { ConsulSnapshotApi } from '../adapters/consul-snapshot';
import type { ChurnLogger, ChurnMetrics } from '../churn/ports';
import type { ReconcileSummary } from '../churn/reconcile';
import { ensureAcl } from '../deploy/acl';
import { applyConfigEntries, datacenterMarkerKey } from '../deploy/config-entries';
import { acquireLock, RECOVERY_LOCK_HOLDER, releaseLock, type HolderStatus, type LockDeps } from '../deploy/lock';
import { readSpecCopy } from '../deploy/spec-copy';
import { configParameterNames } from '../domain/naming';
import { ConcurrentOperationError, ConsulUnavailableError } from '../errors';
import { latestSnapshot, type SnapshotStore } from './snapshots';

/** A restore takes seconds; a function that dies mid-way frees the mesh within this. */
export const RECOVERY_LOCK_TTL_MS = 5 * 60 * 1000;

/** The EventBridge event of a restored datacenter (default bus). */
export const RESTORED_EVENT = { source: 'consul-mesh', detailType: 'Consul Datacenter Restored' } as const;

/** The management-token client: ACL policies and tokens, config entries, KV, snapshots. */
export type RecoveryConsul = ConsulAclApi & ConsulSnapshotApi & Pick<ConsulApi, 'getConfigEntry' | 'putConfigEntry' | 'kvPut' | 'kvDelete'>;

export interface RecoveryDeps {
  meshName: string;
  ssm: LockDeps['ssm'] & Pick<SsmApi, 'getParameters'>;
  ssmRoot?: string;
  /** With the management token (the servers' initial management token: a new datacenter knows it). */
  consul: RecoveryConsul;
  /** Whether a lock's holder (an execution) still runs. */
  holders?: HolderStatus;
  /** The stack's snapshot bucket; without it (or with `consul.snapshots.enabled: false`) only the re-apply path runs. */
  snapshots?: SnapshotStore;
  /** The orchestrator's reconcile (its own token, restored by now): registers the running tasks. */
  reconcile(): Promise<ReconcileSummary>;
  /** Publishes the restored event (EventBridge PutEvents). */
  publish(detail: Record<string, unknown>): Promise<void>;
  logger: ChurnLogger;
  metrics: ChurnMetrics;
}

export type RecoveryResult =
  | { status: 'no-leader' | 'intact' | 'no-spec-copy' }
  | { status: 'deferred'; reason: string }
  | {
      status: 'restored';
      /** The S3 key of the snapshot restored first, if any. */
      snapshot?: string;
      acl: string[];
      configEntries: string[];
      reconcile?: ReconcileSummary;
      reconcileError?: string;
      durationMs: number;
    };

/**
 * Detects a fresh Consul datacenter and restores what the mesh needs, without a redeploy (DESIGN.md section 9).
 *
 * Consul's state lives on its servers: when every server task is lost (an AZ outage, a bad image rolled to all of
 * them, a scale to zero), ECS starts new ones with empty data directories and they bootstrap a new datacenter. It
 * has a leader but nothing else: no ACL policies or tokens (every dataplane's token is `ACL not found`), no config
 * entries or intentions (`default_policy = "deny"` blocks every call), no deployed spec, no catalog. The marker the
 * orchestrator writes (`consul-mesh/<mesh>/datacenter`, config-entries.ts) is missing then, while a leader exists.
 *
 * First, when the spec keeps snapshots (`consul.snapshots.enabled`) and one is stored, the latest Raft snapshot is
 * restored (`PUT /v1/snapshot`): it brings back what only Consul held (KV written by others, the tombstones of
 * stopped tasks, ACL tokens and config entries as they were). Then the restore re-applies from the deployed spec's
 * SSM copy, which fills in whatever the snapshot lacks (a newer spec, tokens made after it), as a deployment's steps
 * would: the ACL policies and
 * tokens with their ORIGINAL SecretIDs and AccessorIDs (the SecureStrings under `secrets/acl/`; Consul's token
 * create accepts both), so every running task's token resolves again; the config entries and intentions; the spec
 * in KV; the marker last. Then the reconcile registers the running tasks. It holds the mesh lock meanwhile (a
 * deployment, rollout, rotation or teardown that starts is refused, naming the recovery, and may retry a minute
 * later) and is skipped while one of them holds it (a teardown deletes the marker on purpose; a deployment
 * restores everything itself). Idempotent: every write is ensure-style, and a second run finds the marker.
 */
export async function recoverDatacenter(deps: RecoveryDeps): Promise<RecoveryResult> {
  const started = Date.now();
  const leader = await deps.consul.leader().catch((error: unknown) => {
    if (error instanceof ConsulUnavailableError) return '';
    throw error;
  });
  if (!leader) {
    deps.logger.debug('no consul leader: nothing to restore yet', { mesh: deps.meshName });
    return { status: 'no-leader' };
  }
  const markerKey = datacenterMarkerKey({ name: deps.meshName });
  if (await deps.consul.kvGet(markerKey)) return { status: 'intact' };
  const spec = await readSpecCopy(deps.meshName, { ssm: deps.ssm, root: deps.ssmRoot });
  if (!spec) {
    deps.logger.debug('no marker and no spec copy: the mesh was never deployed (or before copies were kept)', { mesh: deps.meshName });
    return { status: 'no-spec-copy' };
  }

  const lockName = configParameterNames(spec, deps.ssmRoot).lock;
  try {
    await acquireLock(lockName, RECOVERY_LOCK_HOLDER, { ssm: deps.ssm, holders: deps.holders }, RECOVERY_LOCK_TTL_MS);
  } catch (error) {
    if (!(error instanceof ConcurrentOperationError)) throw error;
    // The error itself (Powertools writes its name, message and stack): its message names the lock's holder.
    deps.logger.info('consul datacenter is fresh, but the mesh lock is held: restore deferred to the next tick', { mesh: deps.meshName, error });
    return { status: 'deferred', reason: error.message };
  }
  deps.logger.warn('consul datacenter is fresh (marker missing while a leader exists): restoring', { mesh: deps.meshName, leader });
  let snapshot: string | undefined;
  let acl: string[];
  let configEntries: string[];
  try {
    // Another run may have restored it between the first look and the lock.
    if (await deps.consul.kvGet(markerKey)) {
      return { status: 'intact' };
    }
    if (spec.consul.snapshots.enabled && deps.snapshots) snapshot = await restoreLatestSnapshot(deps, deps.snapshots, markerKey);
    acl = (await ensureAcl(spec, { ssm: deps.ssm, consul: deps.consul, ssmRoot: deps.ssmRoot })).written;
    configEntries = (await applyConfigEntries(spec, deps.consul, { ssm: deps.ssm, root: deps.ssmRoot, markedBy: 'recovery' })).written;
  } finally {
    await releaseLock(lockName, RECOVERY_LOCK_HOLDER, { ssm: deps.ssm });
  }

  // The catalog last: the orchestrator's token resolves again, and the tasks' registrations need their config.
  let reconcile: ReconcileSummary | undefined;
  let reconcileError: string | undefined;
  try {
    reconcile = await deps.reconcile();
  } catch (error) {
    // The next scheduled reconcile repairs what this one could not; the restore itself is done.
    reconcileError = `${(error as Error).name}: ${(error as Error).message}`;
  }
  const durationMs = Date.now() - started;
  const result: RecoveryResult = { status: 'restored', ...(snapshot ? { snapshot } : {}), acl, configEntries, ...(reconcile ? { reconcile } : {}), ...(reconcileError ? { reconcileError } : {}), durationMs };
  deps.logger.warn('consul datacenter restored', {
    mesh: deps.meshName,
    snapshot,
    acl: acl.length,
    configEntries: configEntries.length,
    registered: reconcile?.registered,
    reconcileError,
    durationMs,
  });
  deps.metrics.addMetric('DatacenterRestored', 'Count', 1);
  deps.metrics.addMetric('DatacenterRestoreDuration', 'Milliseconds', durationMs);
  await deps.publish({ mesh: deps.meshName, restored: { ...(snapshot ? { snapshot } : {}), acl, configEntries }, registered: reconcile?.registered ?? 0, durationMs });
  return result;
}

/**
 * Restores the newest stored snapshot into the fresh datacenter, and returns its key; undefined when there is none or
 * it could not be restored (the re-apply path that follows then restores what the mesh needs, as without snapshots).
 * The archive carries the marker of the datacenter it was taken from: it is removed at once, so that only the
 * re-apply path, which ends by writing it, marks the datacenter as restored.
 */
async function restoreLatestSnapshot(deps: RecoveryDeps, store: SnapshotStore, markerKey: string): Promise<string | undefined> {
  let latest: Awaited<ReturnType<typeof latestSnapshot>>;
  try {
    latest = await latestSnapshot(deps.meshName, store);
  } catch (error) {
    deps.logger.error('the stored consul snapshots cannot be read: restoring by re-applying only', { mesh: deps.meshName, error });
    return undefined;
  }
  if (!latest) {
    deps.logger.warn('no consul snapshot stored: restoring by re-applying only', { mesh: deps.meshName });
    return undefined;
  }
  try {
    await deps.consul.restoreSnapshot(latest.archive);
  } catch (error) {
    deps.logger.error('consul refused the snapshot: restoring by re-applying only', { mesh: deps.meshName, key: latest.key, error });
    return undefined;
  }
  await deps.consul.kvDelete(markerKey);
  deps.logger.warn('consul snapshot restored', { mesh: deps.meshName, key: latest.key });
  return latest.key;
}
