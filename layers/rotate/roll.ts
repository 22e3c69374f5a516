import type { Task } from '@aws-sdk/client-ecs';
import type { ConsulApi } from '../adapters/consul';
import type { EcsApi } from '../adapters/ecs';
import { instanceId, taskIdFromArn } from '../domain/naming';
import { ConsulUnavailableError, DeploymentFailedError, ServiceNotStableError } from '../errors';
import type { PreparedRotation, RotationCheck, StoredSecret } from './schemas';

/**
 * Replaces the tasks that read the secret: UpdateService with `forceNewDeployment` and nothing else, so ECS starts
 * new tasks of the same revision, rolling per the service's own deployment configuration (minimum healthy / maximum
 * percent: the servers keep their quorum, a service keeps serving). ECS resolves a task's `secrets` when it starts
 * it, so each new task gets the new version. A secret of this operation has one reader service (the servers, one
 * service's dataplanes, or the gateway), so there is no order among targets to keep.
 */
export async function rollTargets(prepared: PreparedRotation, deps: { ecs: Pick<EcsApi, 'updateService'> }): Promise<void> {
  for (const target of prepared.targets) {
    await deps.ecs.updateService({ cluster: target.cluster, service: target.service, forceNewDeployment: true });
  }
}

export type RotationCheckEcs = Pick<EcsApi, 'describeServices' | 'serviceTasks'>;

/**
 * One round of the wait after the roll: done when, for every target, ECS is stable (one deployment, running ==
 * desired: DESIGN.md section 7), every running task started after the new secret was written, and Consul confirms
 * (servers: a leader; services and the gateway: every running task registered and passing).
 *
 * @throws DeploymentFailedError when ECS's circuit breaker failed the roll; ServiceNotStableError after maxRounds.
 */
export async function checkRotation(
  prepared: PreparedRotation,
  stored: StoredSecret,
  previous: RotationCheck,
  deps: { ecs: RotationCheckEcs; consul: Pick<ConsulApi, 'leader' | 'healthService'> },
): Promise<RotationCheck> {
  const round = previous.round + 1;
  const replaced: Record<string, number> = {};
  const waiting: string[] = [];
  // A CA rotation rolls in stages, each its own services (stored.targets); the other kinds roll every target at once.
  for (const target of stored.targets ?? prepared.targets) {
    const name = `${target.cluster}/${target.service}`;
    const [service] = (await deps.ecs.describeServices(target.cluster, [target.service])).filter((s) => s.status === 'ACTIVE');
    if (!service) throw new DeploymentFailedError(`service ${name} disappeared during the rotation`);
    const failed = service.deployments?.find((d) => d.rolloutState === 'FAILED');
    if (failed) throw new DeploymentFailedError(`ECS failed the roll of ${name}: ${failed.rolloutStateReason ?? 'no reason given'}`);
    const running = (await deps.ecs.serviceTasks(target.cluster, target.service)).filter((t) => t.lastStatus === 'RUNNING');
    const fresh = running.filter((t) => startedAfter(t, stored.writtenAt));
    replaced[name] = fresh.length;
    const deployments = service.deployments?.length ?? 0;
    const desired = service.desiredCount ?? 0;
    if (deployments !== 1 || running.length !== desired || fresh.length !== running.length) {
      waiting.push(`${name}: ${fresh.length}/${desired} tasks started with the new secret, ${running.length - fresh.length} older still running, ${deployments} deployments`);
      continue;
    }
    const confirmed = await consulConfirms(target, fresh, deps.consul);
    if (confirmed) waiting.push(`${name}: ${confirmed}`);
  }
  if (waiting.length === 0) return { ready: true, round, waitingFor: '', replaced };
  const stage = stored.stage !== undefined && stored.stages !== undefined ? `stage ${stored.stage + 1}/${stored.stages}: ` : '';
  if (round >= prepared.maxRounds) {
    throw new ServiceNotStableError(`${stage}the tasks that use ${prepared.secret} were not all replaced after ${round} checks: ${waiting.join('; ')}`);
  }
  return { ready: false, round, waitingFor: `${stage}${waiting.join('; ')}`, replaced };
}

/** What Consul still lacks for a target's new tasks, or undefined when it confirms them. */
async function consulConfirms(target: PreparedRotation['targets'][number], tasks: Task[], consul: Pick<ConsulApi, 'leader' | 'healthService'>): Promise<string | undefined> {
  try {
    if (target.role === 'server') return (await consul.leader()) ? undefined : 'Consul to elect a leader';
    const passing = new Set(
      (await consul.healthService(target.service)).filter((h) => h.Checks.every((c) => c.Status === 'passing')).map((h) => h.Service.ID),
    );
    const missing = tasks.filter((t) => !passing.has(instanceId(target.service, taskIdFromArn(t.taskArn ?? '')))).length;
    return missing === 0 ? undefined : `${missing} new task(s) not yet registered and passing in Consul`;
  } catch (error) {
    // While the servers roll, Consul may briefly have no leader: that is waiting, not failing.
    if (error instanceof ConsulUnavailableError) return `Consul to answer (${error.message})`;
    throw error;
  }
}

/** ECS resolved the task's secrets when it started it: after the write, it has the new version. */
function startedAfter(task: Task, writtenAt: number): boolean {
  const at = task.createdAt ?? task.startedAt;
  return at !== undefined && at.getTime() >= writtenAt;
}
