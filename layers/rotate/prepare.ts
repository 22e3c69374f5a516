import type { ConsulApi } from '../adapters/consul';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { acquireLock, describeLockHolder, lockState, readLock, type HolderStatus, type LockDeps } from '../deploy/lock';
import { configParameterNames, meshParameterPrefix } from '../domain/naming';
import { ConcurrentOperationError, NotFoundError } from '../errors';
import { newOperationId } from '../executions/execution-name';
import { rolloutLockName } from '../rollout/naming';
import { planRotation } from './plan';
import { stageNewSecret } from './secret';
import type { PreparedRotation, RotationInput } from './schemas';

/** A new rotation id, which is also its execution's name. @example newRotationId() // 's-20261206070102-k3x9q0' */
export function newRotationId(now: Date = new Date(), random?: () => string): string {
  return newOperationId('s', now, random);
}

export interface PrepareRotationDeps {
  ssm: LockDeps['ssm'];
  consul: Pick<ConsulApi, 'kvGet'>;
  meshName: string;
  ssmRoot?: string;
  now?: () => number;
  /** Whether a lock's holder still runs: a lock of an ended execution is taken over. */
  holders?: HolderStatus;
  onTakeover?: LockDeps['onTakeover'];
  /** New secrets; tests pass fixed ones. */
  newGossipKey?: () => string;
  newSecretId?: () => string;
  newCa?: (spec: { name: string }) => { cert: string; key: string };
}

/**
 * The first step of a rotation: plan it from the deployed spec (Consul KV), refuse while a rollout of a service it
 * would roll runs, and take the mesh lock, the one a deployment takes: a deployment and a rotation never run at once
 * (the refusal names the holder and how to cancel it; a lock whose execution has ended is taken over). Then the new
 * secret is generated into the staging parameter (layers/rotate/secret.ts), which no task reads.
 *
 * @throws NotFoundError (mesh never deployed, no such secret), RotationNotSupportedError, ConcurrentOperationError.
 */
export async function prepareRotation(input: RotationInput & { executionId: string }, deps: PrepareRotationDeps): Promise<PreparedRotation> {
  const spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: 0 });
  if (!spec) throw new NotFoundError(`mesh "${deps.meshName}" has not been deployed: deploy it before rotating its secrets`);
  const plan = planRotation(spec, input.request.secret, deps.ssmRoot);
  const now = (deps.now ?? Date.now)();
  for (const target of plan.targets) {
    const lock = await readLock(rolloutLockName(spec.name, target.service, deps.ssmRoot), { ssm: deps.ssm });
    if (lock && (await lockState(lock, deps, now)) === 'live') {
      throw new ConcurrentOperationError(`a rollout of service "${target.service}" is running: rotate once it has ended; the lock is held by ${describeLockHolder(rolloutLockName(spec.name, target.service, deps.ssmRoot), lock)}`);
    }
  }
  const lockName = configParameterNames(spec, deps.ssmRoot).lock;
  await acquireLock(lockName, input.executionId, { ssm: deps.ssm, now: deps.now, holders: deps.holders, onTakeover: deps.onTakeover });
  const stagingParameter = `${meshParameterPrefix(spec, deps.ssmRoot)}/rotation/pending`;
  await stageNewSecret({ kind: plan.kind, stagingParameter, mesh: spec.name }, deps);
  return {
    rotationId: input.rotationId,
    mesh: plan.mesh,
    secret: plan.secret,
    kind: plan.kind,
    parameter: plan.parameter,
    ...(plan.keyParameter ? { keyParameter: plan.keyParameter } : {}),
    ...(plan.stages ? { stages: plan.stages } : {}),
    stagingParameter,
    ...(plan.role ? { role: plan.role } : {}),
    targets: plan.targets,
    steps: plan.steps,
    lockName,
    lockHolder: input.executionId,
    pollSeconds: input.settings.pollSeconds,
    maxRounds: input.settings.maxRounds,
  };
}
