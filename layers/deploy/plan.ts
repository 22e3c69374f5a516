import type { SsmApi } from '../adapters/ssm';
import { validateSpecObject } from '../domain/spec/validate';
import type { MeshSpec } from '../domain/spec/schema';
import { configParameterNames, SERVER_SERVICE_NAME } from '../domain/naming';
import { specHash } from '../domain/ecs/hash';
import { ChangeRefusedError, ConcurrentOperationError, SpecInvalidError } from '../errors';
import { meshParameterPrefix } from '../domain/naming';
import { parseOperationReference } from '../executions/operations';
import type { ConsulApi } from '../adapters/consul';
import { acquireDeploymentLock, ensureDatacenterRestored } from './datacenter-ready';
import { lockState, releaseLock, type HolderStatus, type LockDeps, type LockValue } from './lock';
import { planImages } from './images';
import { stackFitIssues, type StackLimits } from './stack-fit';
import type { DeploymentPlan, ServiceChange } from './types';
import type { ChangeSet } from './change-set';
import { compactChangeSet, computeChangeSet, type ChangeSetContext } from './compute-change-set';
import { readMeshState, type MeshState, type StateReaderDeps } from './mesh-state';
import { removedPeers } from './peering-stage';

export interface PlanInput {
  deploymentId: string;
  spec: unknown;
  executionId: string;
  settings?: { pollSeconds?: number; maxRounds?: number };
}

/**
 * The first step of a deployment: validate the spec (nothing starts for an invalid one), wait for the restore of a
 * Consul datacenter that lost every server (DatacenterRecovering, retried by the state machine), take the mesh's lock
 * (one deployment per mesh at a time), read what the mesh owns and compute the change set (computeChangeSet): what
 * the deployment creates, updates and removes, in stage order. A spec with a change no deployment can make (see
 * computeChangeSet) is refused here, before anything is written, and the lock is released.
 */
export async function planDeployment(
  input: PlanInput,
  deps: {
    ecs: StateReaderDeps['ecs'];
    ssm: StateReaderDeps['ssm'] & LockDeps['ssm'];
    ecr: StateReaderDeps['ecr'];
    consul?: StateReaderDeps['consul'];
    /** Consul with the orchestrator's token, to see whether the datacenter lost every server and awaits its restore. */
    datacenter?: () => Promise<Pick<ConsulApi, 'leader' | 'kvGet'>>;
    context: ChangeSetContext;
    defaults: { pollSeconds: number; maxRounds: number };
    /** Whether a lock's holder still runs; a lock of an ended execution is taken over at once. */
    holders?: HolderStatus;
    onTakeover?: LockDeps['onTakeover'];
    /** The stack's region and secrets path (stack-fit.ts). */
    limits?: StackLimits;
  },
): Promise<DeploymentPlan> {
  const result = validateSpecObject(input.spec);
  if (!result.ok) throw new SpecInvalidError(result.issues);
  const spec = result.spec;
  // Before the lock and any write: a spec this stack cannot run (another region, secrets its tasks cannot read).
  const misfits = stackFitIssues(spec, deps.limits ?? {});
  if (misfits.length > 0) throw new SpecInvalidError(misfits);
  const images = planImages(spec);
  const lockName = configParameterNames(spec).lock;
  // A datacenter that lost every server: wait for its restore (DatacenterRecovering is retried), before the lock,
  // which the restore takes.
  if (deps.datacenter) await ensureDatacenterRestored(spec, { consul: await deps.datacenter(), ssm: deps.ssm });
  await acquireDeploymentLock(spec, lockName, input.executionId, { ssm: deps.ssm, holders: deps.holders, onTakeover: deps.onTakeover });
  // A rollout of one of the mesh's services changes what this deployment would change: wait for it to end.
  // (The rollout checks the mesh lock the same way, so each refuses while the other runs.)
  const rollouts = await runningRollouts(spec, { ssm: deps.ssm, holders: deps.holders });
  if (rollouts.length > 0) {
    await releaseLock(lockName, input.executionId, { ssm: deps.ssm });
    throw new ConcurrentOperationError(rolloutRefusal(spec.name, rollouts, 'deploy once it has ended'));
  }
  // The change set, computed once: the stages apply the same decisions (decideService) and the removal stage
  // removes exactly its removals. A change no deployment can make refuses the spec before anything is written.
  let changeSet: ChangeSet;
  let state: MeshState;
  try {
    state = await readMeshState(spec, { ecs: deps.ecs, ssm: deps.ssm, ecr: deps.ecr, consul: deps.consul });
    changeSet = computeChangeSet(spec, state, deps.context);
  } catch (error) {
    await releaseLock(lockName, input.executionId, { ssm: deps.ssm });
    throw error;
  }
  if (changeSet.refused.length > 0) {
    await releaseLock(lockName, input.executionId, { ssm: deps.ssm });
    throw new ChangeRefusedError(`the deployment of mesh "${spec.name}" is refused, nothing was changed:\n${changeSet.refused.map((r) => `  ${r}`).join('\n')}`);
  }
  const compact = compactChangeSet(changeSet);
  // The removal stage needs what to remove, not why (the revisions to keep are counted again when it deregisters).
  // Peerings are the peering stage's: it deletes them before the service clusters, while the gateway still runs.
  const removals = compact.changes.filter((c) => c.action === 'remove' && c.kind !== 'peering');
  const removedPeerings = removedPeers(spec, state.deployedSpec, state.markedPeerings);
  return {
    mesh: spec.name,
    deploymentId: input.deploymentId,
    specHash: specHash(spec),
    images,
    serverCluster: { cluster: spec.consul.servers.cluster, services: [SERVER_SERVICE_NAME] },
    serviceClusters: spec.clusters.map((c) => ({ cluster: c.name, services: c.services.map((s) => s.name) })),
    ingressCluster: spec.ingress ? { cluster: spec.ingress.cluster, services: [spec.ingress.name] } : null,
    hasIngress: spec.ingress !== undefined,
    meshGatewayCluster: spec.meshGateway ? { cluster: spec.meshGateway.cluster, services: [spec.meshGateway.name] } : null,
    hasMeshGateway: spec.meshGateway !== undefined,
    hasPeering: spec.peers.length > 0 || removedPeerings.length > 0,
    peering: {
      removed: removedPeerings.map(({ name, mesh, region, role }) => ({ name, mesh, region, role })),
      peers: spec.peers.map(({ name, mesh, region, role }) => ({ name, mesh, region, role })),
    },
    changes: serviceChanges(compact),
    changeSet: compact,
    removals,
    hasRemovals: removals.length > 0,
    pollSeconds: input.settings?.pollSeconds ?? deps.defaults.pollSeconds,
    maxRounds: input.settings?.maxRounds ?? deps.defaults.maxRounds,
    lockName,
    lockHolder: input.executionId,
  };
}

/** A service whose rollout lock is live, and the id of the rollout that holds it (when its holder is one). */
export interface RunningRollout {
  service: string;
  rolloutId?: string;
}

/**
 * Why a deployment or a teardown is refused while rollouts run, and how to end them (`meshctl cancel <id>`).
 * @example rolloutRefusal('shop', [{ service: 'users', rolloutId: 'r-20250304050607-k3x9q0' }], 'deploy')
 * // 'a rollout of users is running in mesh "shop": deploy once it has ended, or cancel it: meshctl cancel r-20250304050607-k3x9q0'
 */
export function rolloutRefusal(mesh: string, rollouts: readonly RunningRollout[], then: string): string {
  const ids = rollouts.flatMap((r) => (r.rolloutId ? [r.rolloutId] : []));
  const cancel = ids.length === 0 ? '' : `, or cancel ${ids.length > 1 ? 'them' : 'it'}: ${ids.map((id) => `meshctl cancel ${id}`).join('; ')}`;
  return `a rollout of ${rollouts.map((r) => r.service).join(', ')} is running in mesh "${mesh}": ${then}${cancel}`;
}

/** Services whose rollout lock (`/consul-mesh/<mesh>/rollouts/<service>/lock`) is live: held by a running rollout. */
export async function runningRollouts(spec: Pick<MeshSpec, 'name'>, deps: { ssm: Pick<SsmApi, 'getParametersByPath'> } & Pick<LockDeps, 'holders'>, now = Date.now()): Promise<RunningRollout[]> {
  const { ssm } = deps;
  const path = `${meshParameterPrefix(spec)}/rollouts`;
  const services: RunningRollout[] = [];
  for (const parameter of await ssm.getParametersByPath(path)) {
    if (!parameter.Name?.endsWith('/lock') || !parameter.Value) continue;
    let lock: LockValue;
    try {
      lock = JSON.parse(parameter.Value) as LockValue;
    } catch {
      continue; // Not a lock we wrote: ignore it rather than block every deployment.
    }
    if ((await lockState(lock, deps, now)) !== 'live') continue;
    const holder = parseOperationReference(lock.holder);
    services.push({ service: parameter.Name.slice(path.length + 1, -'/lock'.length), ...(holder?.kind === 'rollout' ? { rolloutId: holder.id } : {}) });
  }
  return services;
}

/** The service changes of a change set, as the progress view and `meshctl plan` list them (removals included). */
export function serviceChanges(changeSet: Pick<ChangeSet, 'changes'>): ServiceChange[] {
  return changeSet.changes
    .filter((c) => c.kind === 'service')
    .map((c) => {
      const slash = c.id.indexOf('/');
      return {
        cluster: c.cluster ?? c.id.slice(0, slash),
        service: c.id.slice(slash + 1),
        role: c.role ?? 'service',
        // ECS services are never replaced (computeChangeSet refuses what would need it).
        action: c.action === 'replace' ? 'update' : c.action,
        reasons: c.reasons,
        desiredCount: c.desiredCount ?? 0,
      };
    });
}
