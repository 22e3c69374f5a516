import type { SsmApi } from '../adapters/ssm';
import type { ConsulApi } from '../adapters/consul';
import type { ConsulAclApi } from '../adapters/consul-acl';
import type { ChurnLogger, ChurnMetrics } from '../churn/ports';
import type { ReconcileSummary } from '../churn/reconcile';
import { ensureAcl } from '../deploy/acl';
import { applyConfigEntries, datacenterMarkerKey } from '../deploy/config-entries';
import { acquireLock, RECOVERY_LOCK_HOLDER, releaseLock, type HolderStatus, type LockDeps } from '../deploy/lock';
import { readSpecCopy } from '../deploy/spec-copy';
import { configParameterNames } from '../domain/naming';
import { ConcurrentOperationError, ConsulUnavailableError } from '../errors';

/** A restore takes seconds; a function that dies mid-way frees the mesh within this. */
export const RECOVERY_LOCK_TTL_MS = 5 * 60 * 1000;

/** The EventBridge event of a restored datacenter (default bus). */
export const RESTORED_EVENT = { source: 'consul-mesh', detailType: 'Consul Datacenter Restored' } as const;

/** The management-token client: ACL policies and tokens, config entries, KV. */
export type RecoveryConsul = ConsulAclApi & Pick<ConsulApi, 'getConfigEntry' | 'putConfigEntry' | 'kvPut'>;

export interface RecoveryDeps {
  meshName: string;
  ssm: LockDeps['ssm'] & Pick<SsmApi, 'getParameters'>;
  ssmRoot?: string;
  /** With the management token (the servers' initial management token: a new datacenter knows it). */
  consul: RecoveryConsul;
  /** Whether a lock's holder (an execution) still runs. */
  holders?: HolderStatus;
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
 * The restore re-applies from the deployed spec's SSM copy, as a deployment's steps would: the ACL policies and
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
    deps.logger.info('consul datacenter is fresh, but the mesh lock is held: restore deferred to the next tick', { mesh: deps.meshName, errorMessage: error.message });
    return { status: 'deferred', reason: error.message };
  }
  deps.logger.warn('consul datacenter is fresh (marker missing while a leader exists): restoring', { mesh: deps.meshName, leader });
  let acl: string[];
  let configEntries: string[];
  try {
    // Another run may have restored it between the first look and the lock.
    if (await deps.consul.kvGet(markerKey)) {
      return { status: 'intact' };
    }
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
  const result: RecoveryResult = { status: 'restored', acl, configEntries, ...(reconcile ? { reconcile } : {}), ...(reconcileError ? { reconcileError } : {}), durationMs };
  deps.logger.warn('consul datacenter restored', {
    mesh: deps.meshName,
    acl: acl.length,
    configEntries: configEntries.length,
    registered: reconcile?.registered,
    reconcileError,
    durationMs,
  });
  deps.metrics.addMetric('DatacenterRestored', 'Count', 1);
  deps.metrics.addMetric('DatacenterRestoreDuration', 'Milliseconds', durationMs);
  await deps.publish({ mesh: deps.meshName, restored: { acl, configEntries }, registered: reconcile?.registered ?? 0, durationMs });
  return result;
}
