import type { EcsApi } from '../adapters/ecs';
import type { ConsulApi } from '../adapters/consul';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { imageTagFor } from '../deploy/images';
import { acquireLock, describeLockHolder, lockState, readLock, type HolderStatus, type LockDeps } from '../deploy/lock';
import { appContainerName } from '../domain/ecs/containers';
import { buildCreateService } from '../domain/ecs/service';
import { resolveTarget } from '../domain/ecs/targets';
import { configParameterNames } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import { ConcurrentOperationError, NotFoundError } from '../errors';
import { rolloutLockName } from './naming';
import type { PreparedRollout, RolloutDeploymentConfiguration, RolloutInput } from './types';

export interface PrepareDeps {
  ecs: Pick<EcsApi, 'describeServices'>;
  ssm: LockDeps['ssm'];
  consul: Pick<ConsulApi, 'kvGet'>;
  meshName: string;
  now?: () => number;
  /** Whether a lock's holder still runs: a lock of an ended execution blocks nothing. */
  holders?: HolderStatus;
  onTakeover?: LockDeps['onTakeover'];
}

/**
 * buildCreateService insists on subnets in awsvpc mode; only its deployment configuration is read here, which does
 * not depend on them (the running service keeps its own network configuration).
 */
const STAND_IN_SUBNETS = ['subnet-00000000'];

/**
 * The first step of a rollout: find the service in the deployed spec (Consul KV, the spec the task-event handler
 * registers by) and in ECS, refuse while a deployment of the mesh holds the mesh lock or ECS is still rolling the
 * service, and take the service's rollout lock (one rollout per service at a time). Records the revision that
 * runs now: a rollback returns to it.
 *
 * @throws NotFoundError for a mesh never deployed or a service it does not have; ConcurrentOperationError when the
 *   mesh is being deployed, the service is being rolled out, or ECS is still deploying it.
 */
export async function prepareRollout(input: RolloutInput & { executionId: string }, deps: PrepareDeps): Promise<PreparedRollout> {
  const spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: 0 });
  if (!spec) throw new NotFoundError(`mesh "${deps.meshName}" has not been deployed: deploy it before rolling out a service`);
  const target = resolveTarget(spec, { role: 'service', service: input.service });
  const now = (deps.now ?? Date.now)();

  const meshLock = await readLock(configParameterNames(spec).lock, { ssm: deps.ssm });
  if (meshLock && (await lockState(meshLock, deps, now)) === 'live') {
    throw new ConcurrentOperationError(`mesh "${spec.name}" is busy, roll out once it is free: the mesh lock is held by ${describeLockHolder(configParameterNames(spec).lock, meshLock)}`);
  }

  const services = await deps.ecs.describeServices(target.cluster, [target.serviceName]);
  const current = services.find((s) => s.status === 'ACTIVE');
  if (!current?.taskDefinition) throw new NotFoundError(`service ${input.service} does not run in cluster ${target.cluster}: deploy the mesh first`);
  // A rollback returns to the revision that ran before; while ECS still rolls an earlier change there is no such one.
  if ((current.deployments?.length ?? 0) > 1) {
    throw new ConcurrentOperationError(`ECS is still deploying service ${input.service} (${current.deployments?.length} deployments): roll out once it is stable`);
  }

  const lockName = rolloutLockName(spec.name, input.service);
  await acquireLock(lockName, input.executionId, { ssm: deps.ssm, now: deps.now, holders: deps.holders, onTakeover: deps.onTakeover });

  const bake = bakePlan(input.request.bakeSeconds ?? spec.rollout.bakeSeconds, input.settings.pollSeconds);
  const previousDesiredCount = current.desiredCount ?? target.desiredCount;
  const { request } = input;
  return {
    mesh: spec.name,
    rolloutId: input.rolloutId,
    service: input.service,
    cluster: target.cluster,
    container: appContainerName(input.service),
    previousTaskDefinitionArn: current.taskDefinition,
    previousDesiredCount,
    desiredCount: request.desiredCount ?? previousDesiredCount,
    ...(request.image ? { image: request.image } : {}),
    ...(request.build
      ? {
          build: {
            name: input.service,
            repository: `${spec.name}/${input.service}`,
            tag: imageTagFor(request.build.contentHash, spec.network.cpuArchitecture),
            contentHash: request.build.contentHash,
            context: request.build.context,
            dockerfile: request.build.dockerfile,
            architecture: spec.network.cpuArchitecture,
          },
        }
      : {}),
    deploymentConfiguration: deploymentConfigurationOf(spec, input.service),
    pollSeconds: input.settings.pollSeconds,
    maxRounds: input.settings.maxRounds,
    bakeSeconds: bake.seconds,
    bakeRounds: bake.rounds,
    bakeIntervalSeconds: bake.intervalSeconds,
    lockName,
    lockHolder: input.executionId,
  };
}

/** The spec's rolling-update settings for the service (minimum healthy / maximum percent, circuit breaker). */
function deploymentConfigurationOf(spec: MeshSpec, service: string): RolloutDeploymentConfiguration {
  const built = buildCreateService(spec, { role: 'service', service }, { subnets: STAND_IN_SUBNETS }).deploymentConfiguration;
  return {
    minimumHealthyPercent: built?.minimumHealthyPercent ?? spec.rollout.minimumHealthyPercent,
    maximumPercent: built?.maximumPercent ?? spec.rollout.maximumPercent,
    deploymentCircuitBreaker: {
      enable: built?.deploymentCircuitBreaker?.enable ?? spec.rollout.circuitBreaker.enable,
      rollback: built?.deploymentCircuitBreaker?.rollback ?? spec.rollout.circuitBreaker.rollback,
    },
  };
}

/**
 * The bake as a bounded loop: checks `intervalSeconds` apart (the poll interval, at most the bake itself, at
 * least 1 s since a Wait state counts whole seconds), as many as cover `seconds`. No bake: no rounds.
 * @example bakePlan(30, 10) // { seconds: 30, rounds: 3, intervalSeconds: 10 }
 */
export function bakePlan(seconds: number, pollSeconds: number): { seconds: number; rounds: number; intervalSeconds: number } {
  if (seconds <= 0) return { seconds: 0, rounds: 0, intervalSeconds: 0 };
  const intervalSeconds = Math.min(Math.max(1, pollSeconds), seconds);
  return { seconds, rounds: Math.ceil(seconds / intervalSeconds), intervalSeconds };
}
