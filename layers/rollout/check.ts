import type { Service, Task } from '@aws-sdk/client-ecs';
import type { EcsApi } from '../adapters/ecs';
import type { ConsulApi } from '../adapters/consul';
import { lastStoppedReason } from '../deploy/stage';
import { instanceId, taskIdFromArn } from '../domain/naming';
import { ConsulUnavailableError, DeploymentFailedError } from '../errors';
import { RolloutUnhealthyError } from '../errors';
import type { PreparedRollout, RolloutCheck } from './types';

/** The ECS calls a rollout check makes. */
export type RolloutCheckEcs = Pick<EcsApi, 'describeServices' | 'serviceTasks' | 'listTaskArns' | 'describeTasks'>;

export interface CheckDeps {
  ecs: RolloutCheckEcs;
  consul: Pick<ConsulApi, 'healthService'>;
  now?: () => number;
}


/**
 * One round of the rollout's wait loops, by phase:
 * - `stabilize`: is the new revision stable in ECS (one deployment, the new revision PRIMARY, runningCount ==
 *   desiredCount: DESIGN.md section 7) and is every running task of it registered and passing in Consul? Not yet →
 *   `ready: false` with what it waits for; yes → `ready`, and the phase turns to `bake`. A deployment the circuit breaker failed, or one ECS replaced by its own
 *   rollback, throws `DeploymentFailed` with the stopped reason of the tasks.
 * - `bake`: the same must still hold, and no task of the new revision may have stopped since it first held;
 *   otherwise `RolloutUnhealthy`. Each passing round counts one bake round.
 * - `rollback`: is the previous revision stable in ECS again (Consul is not asked: it may be what failed)?
 */
export async function checkRollout(prepared: PreparedRollout, previous: RolloutCheck, deps: CheckDeps): Promise<RolloutCheck> {
  const now = (deps.now ?? Date.now)();
  const service = await describeService(prepared, deps.ecs);
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const status: RolloutCheck = {
    ...previous,
    round: previous.phase === 'bake' ? previous.round : previous.round + 1,
    ready: false,
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    rolloutState: primary?.rolloutState,
  };
  const deployments = service.deployments?.length ?? 0;

  if (previous.phase === 'rollback') {
    if (primary?.rolloutState === 'FAILED') throw await deploymentFailed(prepared, service, `the rollback deployment ${primary.id ?? ''} failed too`, deps.ecs);
    const stable = deployments === 1 && primary?.taskDefinition === previous.taskDefinitionArn && status.runningCount === status.desiredCount;
    return stable
      ? { ...status, ready: true, waitingFor: '' }
      : { ...status, waitingFor: `ECS to run the previous revision: ${status.runningCount}/${status.desiredCount} running, ${deployments} deployments` };
  }

  const failed = service.deployments?.find((d) => d.rolloutState === 'FAILED');
  if (failed) throw await deploymentFailed(prepared, service, `deployment ${failed.id ?? ''} failed${failed.rolloutStateReason ? ` (${failed.rolloutStateReason})` : ''}`, deps.ecs);
  if (primary && primary.taskDefinition !== previous.taskDefinitionArn) {
    throw await deploymentFailed(prepared, service, `ECS now deploys ${primary.taskDefinition}, not the new revision (rolled back by the circuit breaker, or changed by someone else)`, deps.ecs);
  }

  const waiting = await waitingFor(prepared, previous.taskDefinitionArn, service, deps, previous.phase === 'bake');
  if (previous.phase === 'bake') {
    if (waiting.reason) throw new RolloutUnhealthyError(`service ${prepared.service} in ${prepared.cluster} became unhealthy during the bake: ${waiting.reason}`);
    const stopped = await stoppedSince(prepared, previous.taskDefinitionArn, previous.readyAt ?? now, deps.ecs);
    if (stopped) throw new RolloutUnhealthyError(`service ${prepared.service} in ${prepared.cluster}: task ${taskIdFromArn(stopped.taskArn ?? '')} of the new revision stopped during the bake: ${describeStop(stopped)}`);
    return { ...status, ready: true, waitingFor: '', registeredPassing: waiting.registeredPassing, bakeRound: previous.bakeRound + 1 };
  }
  if (waiting.reason) return { ...status, registeredPassing: waiting.registeredPassing, waitingFor: waiting.reason };
  // Stable and passing: the bake starts now, and the next rounds are bake rounds.
  return { ...status, phase: 'bake', ready: true, waitingFor: '', registeredPassing: waiting.registeredPassing, readyAt: now, bakeRound: 0 };
}

async function describeService(prepared: PreparedRollout, ecs: RolloutCheckEcs): Promise<Service> {
  const services = await ecs.describeServices(prepared.cluster, [prepared.service]);
  const service = services.find((s) => s.status === 'ACTIVE');
  if (!service) throw new DeploymentFailedError(`service ${prepared.service} of cluster ${prepared.cluster} disappeared during the rollout`);
  return service;
}

/** What the new revision still lacks: ECS stability, then a registered and passing Consul instance per task. */
async function waitingFor(
  prepared: PreparedRollout,
  taskDefinitionArn: string,
  service: Service,
  deps: CheckDeps,
  strict: boolean,
): Promise<{ reason?: string; registeredPassing?: number }> {
  const deployments = service.deployments?.length ?? 0;
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  if (deployments !== 1 || running !== desired) {
    return { reason: `ECS to replace the tasks: ${running}/${desired} running, ${deployments} deployments` };
  }
  const tasks = await runningTasks(prepared, deps.ecs);
  const fresh = tasks.filter((t) => t.taskDefinitionArn === taskDefinitionArn);
  let passing: Set<string>;
  try {
    const health = await deps.consul.healthService(prepared.service);
    passing = new Set(health.filter((h) => h.Checks.every((c) => c.Status === 'passing')).map((h) => h.Service.ID));
  } catch (error) {
    // While the tasks settle, an unreachable Consul means waiting. During the bake it is thrown: the state machine
    // retries it with backoff, and rolls back if Consul stays away (the new tasks cannot be verified).
    if (error instanceof ConsulUnavailableError && !strict) return { reason: `Consul to answer (${error.message})` };
    throw error;
  }
  const registeredPassing = fresh.filter((t) => passing.has(instanceId(prepared.service, taskIdFromArn(t.taskArn ?? '')))).length;
  if (fresh.length < tasks.length) return { reason: `${tasks.length - fresh.length} task(s) of an older revision still running`, registeredPassing };
  if (registeredPassing < desired) return { reason: `Consul registrations: ${registeredPassing}/${desired} passing`, registeredPassing };
  return { registeredPassing };
}

async function runningTasks(prepared: PreparedRollout, ecs: RolloutCheckEcs): Promise<Task[]> {
  return (await ecs.serviceTasks(prepared.cluster, prepared.service)).filter((t) => t.lastStatus === 'RUNNING');
}

/** A task of the new revision that stopped at or after `since` (ECS keeps stopped tasks listed for a while). */
async function stoppedSince(prepared: PreparedRollout, taskDefinitionArn: string, since: number, ecs: RolloutCheckEcs): Promise<Task | undefined> {
  const tasks = await ecs.serviceTasks(prepared.cluster, prepared.service, 'STOPPED');
  return tasks.find((t) => {
    const at = t.stoppingAt ?? t.stoppedAt;
    return t.taskDefinitionArn === taskDefinitionArn && at !== undefined && at.getTime() >= since;
  });
}

function describeStop(task: Task): string {
  const exit = task.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  return [task.stopCode, task.stoppedReason, exit ? `container ${exit.name} exited with code ${exit.exitCode}` : undefined].filter(Boolean).join(': ') || 'no reason given';
}

async function deploymentFailed(prepared: PreparedRollout, service: Service, what: string, ecs: RolloutCheckEcs): Promise<DeploymentFailedError> {
  const reason = await lastStoppedReason(prepared.cluster, prepared.service, ecs).catch(() => undefined);
  const event = service.events?.[0]?.message;
  return new DeploymentFailedError(`service ${prepared.service} in ${prepared.cluster}: ${what}${reason ? `; task stopped: ${reason}` : ''}${event ? `; ECS: ${event}` : ''}`);
}
