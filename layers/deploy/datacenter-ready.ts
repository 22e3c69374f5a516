import type { SsmApi } from '../adapters/ssm';
import type { ConsulApi } from '../adapters/consul';
import type { MeshSpec } from '../domain/spec/schema';
import { ConcurrentOperationError, ConsulAclDeniedError, ConsulUnavailableError, DatacenterRecoveringError } from '../errors';
import { datacenterMarkerKey } from './config-entries';
import { acquireLock, readLock, RECOVERY_LOCK_HOLDER, type LockDeps } from './lock';
import { specCopyParameterNames } from './spec-copy';

/**
 * Refuses to start a deployment into a Consul datacenter that lost every server and is not restored yet, with
 * `DatacenterRecovering`, on which the Plan step is retried (deploy-mesh.asl.json) until the recovery function has
 * restored it.
 *
 * Such a datacenter has a leader but none of what the mesh set up: its ACL tokens are unknown (the orchestrator's
 * own token is `ACL not found`), so a deployment would start tasks whose dataplanes cannot log in; they exit, and
 * ECS's circuit breaker fails the deployment. The deployment waits rather than restoring by itself: the restore needs
 * the management token, which only the ACL step and the recovery function may read, and one restorer (the recovery
 * function, under the mesh lock, with its metric and event) keeps the restore in one place. The wait is at most one
 * tick of its schedule (`reconcileRate`). A first deployment (no spec copy in SSM) and a datacenter without a leader
 * (its servers are not up yet: the deployment's own server stage waits for them) pass.
 */
export async function ensureDatacenterRestored(
  spec: Pick<MeshSpec, 'name'>,
  deps: { consul: Pick<ConsulApi, 'leader' | 'kvGet'>; ssm: Pick<SsmApi, 'getParameter'>; ssmRoot?: string },
): Promise<void> {
  const leader = await deps.consul.leader().catch((error: unknown) => {
    if (error instanceof ConsulUnavailableError) return '';
    throw error;
  });
  if (!leader) return;
  let marked: boolean;
  try {
    marked = (await deps.consul.kvGet(datacenterMarkerKey(spec))) !== undefined;
  } catch (error) {
    // The orchestrator's token is unknown: only a datacenter that never saw it (a new one) answers this.
    if (!(error instanceof ConsulAclDeniedError && error.message.includes('ACL not found'))) throw error;
    marked = false;
  }
  if (marked) return;
  if (!(await specCopyExists(spec.name, deps))) return;
  throw new DatacenterRecoveringError(
    `the Consul datacenter of mesh "${spec.name}" is new (every server was lost) and not restored yet: ` +
      'the deployment starts once the recovery function has restored it (at its next tick, within a minute by default)',
  );
}

/** Whether the mesh was deployed (its spec's copy, header first, is what the restore reads): one GetParameter. */
async function specCopyExists(meshName: string, deps: { ssm: Pick<SsmApi, 'getParameter'>; ssmRoot?: string }): Promise<boolean> {
  try {
    return (await deps.ssm.getParameter(specCopyParameterNames(meshName, deps.ssmRoot).header)) !== undefined;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return false;
    throw error;
  }
}

/**
 * Takes the mesh lock for a deployment; while the restore of a datacenter that lost every server holds it, refuses
 * with `DatacenterRecovering` (retried: the deployment waits for the restore) instead of `ConcurrentOperation`.
 */
export async function acquireDeploymentLock(spec: Pick<MeshSpec, 'name'>, lockName: string, holder: string, deps: LockDeps): Promise<void> {
  try {
    await acquireLock(lockName, holder, deps);
  } catch (error) {
    if (error instanceof ConcurrentOperationError && (await readLock(lockName, deps))?.holder === RECOVERY_LOCK_HOLDER) {
      throw new DatacenterRecoveringError(`the Consul datacenter of mesh "${spec.name}" is being restored: the deployment starts once it is`, { cause: error });
    }
    throw error;
  }
}
