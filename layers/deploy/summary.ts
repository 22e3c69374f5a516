import type { Task } from '@aws-sdk/client-ecs';
import { taskPrivateIp, type EcsApi } from '../adapters/ecs';
import { settleWithLimit } from '../churn/limiter';
import type { ConsulApi } from '../adapters/consul';
import { configParameterNames, instanceId, taskIdFromArn, type MeshRole } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import { validateSpecObject } from '../domain/spec/validate';
import { releaseLock, type LockDeps } from './lock';
import { causeMessage } from '../executions/json';
import { DeploymentFailedError } from '../errors';
import { lastStoppedReason, type StoppedReasonEcs } from './stage';
import { peerViews } from './peering';
import type { DeploymentFailure, DeploymentPlan, DeploymentSummary, StageStatus } from './types';
import type { ImageBuildState } from './images';

/** Consul health reads in flight at once while summarising (the local agent's HTTP API, not a throttled AWS API). */
const HEALTH_READS_IN_FLIGHT = 8;

/**
 * Tasks listed per service in the summary. The summary is the execution's output, held to 256 KB like every state:
 * 100 services of up to 1000 tasks each would not fit, so a service lists its first tasks and counts the rest.
 */
export const SUMMARY_TASKS_PER_SERVICE = 10;

/** How long the summary waits for the Consul servers' health checks: six of their 10-second intervals. */
export const SERVERS_HEALTHY_TIMEOUT_MS = 60_000;

/**
 * Waits until every running task of the Consul server service is HEALTHY. A server's container health check passes
 * only as a caught-up voter, with the servers' agent token, which a first deployment makes known in its ACL step,
 * after the servers stage; the check then passes at its next interval. Until then ECS counts the servers as not
 * healthy, and a roll started in between (a rotation, the next deployment) may replace all of them at once and lose
 * the datacenter: a deployment is done only once its servers are HEALTHY.
 * @throws DeploymentFailed naming each server's health when they are not HEALTHY within `timeoutMs`.
 */
export async function waitForHealthyServers(
  servers: { cluster: string; services: string[] },
  deps: { ecs: Pick<EcsApi, 'listTaskArns' | 'describeTasks'> },
  options: { timeoutMs?: number; pollMs?: number; now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (options.timeoutMs ?? SERVERS_HEALTHY_TIMEOUT_MS);
  for (;;) {
    const tasks = (await Promise.all(servers.services.map(async (serviceName) => deps.ecs.describeTasks(servers.cluster, await deps.ecs.listTaskArns({ cluster: servers.cluster, serviceName, desiredStatus: 'RUNNING' }))))).flat();
    const waiting = tasks.filter((t) => t.healthStatus !== 'HEALTHY');
    if (tasks.length > 0 && waiting.length === 0) return;
    if (now() >= deadline) {
      throw new DeploymentFailedError(
        `the Consul servers of cluster ${servers.cluster} are not HEALTHY (${waiting.map((t) => `${taskIdFromArn(t.taskArn ?? '')}: ${t.healthStatus ?? 'UNKNOWN'}`).join(', ') || 'no server task runs'}): ` +
          'their health check passes only as a caught-up voter with the servers\' agent token; see the tasks\' health check output',
      );
    }
    await sleep(options.pollMs ?? 1_000);
  }
}

/**
 * The end of a successful deployment: release the mesh lock and describe what runs — clusters, services,
 * each task with its IP and whether Consul has it registered and passing — plus the Consul leader and servers, and
 * the mesh's cluster peers with their peerings' state.
 */
export async function summarizeDeployment(
  input: { plan: Omit<DeploymentPlan, 'changes' | 'changeSet' | 'removals' | 'hasRemovals'>; images: Array<Pick<ImageBuildState, 'name' | 'imageUri' | 'status'>>; executionId: string; stages: StageStatus[] },
  deps: { ecs: Pick<EcsApi, 'describeServices' | 'listTaskArns' | 'describeTasks'>; ssm: LockDeps['ssm']; consul: Pick<ConsulApi, 'healthService' | 'leader' | 'peers' | 'readPeering'> },
): Promise<DeploymentSummary> {
  const { plan } = input;
  await waitForHealthyServers(plan.serverCluster, deps);
  const stageClusters: Array<{ cluster: string; role: MeshRole; services: string[] }> = [
    { ...plan.serverCluster, role: 'server' },
    ...(plan.meshGatewayCluster ? [{ ...plan.meshGatewayCluster, role: 'mesh-gateway' as const }] : []),
    ...plan.serviceClusters.map((c) => ({ ...c, role: 'service' as const })),
    ...(plan.ingressCluster ? [{ ...plan.ingressCluster, role: 'ingress-gateway' as const }] : []),
  ];
  const actions = new Map(input.stages.flatMap((s) => s.services.map((svc) => [`${s.cluster}/${svc.name}`, svc.action ?? 'unchanged'] as const)));
  const clusters: DeploymentSummary['clusters'] = [];
  for (const { cluster, role, services } of stageClusters) {
    // Every service of the cluster, however many: the adapter keeps to DescribeServices' 10 a call.
    const described = (await deps.ecs.describeServices(cluster, services)).filter((s) => s.status !== 'INACTIVE');
    // The cluster's tasks in one listing (ListTasks and DescribeTasks in hundreds), grouped by `service:<name>`,
    // rather than two calls per service; Consul's health of the services a few at a time. A summary of a hundred
    // services must fit in the step's Lambda timeout.
    const tasksByService = new Map<string, Task[]>();
    for (const task of await deps.ecs.describeTasks(cluster, await deps.ecs.listTaskArns({ cluster, desiredStatus: 'RUNNING' }))) {
      const name = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : '';
      tasksByService.set(name, [...(tasksByService.get(name) ?? []), task]);
    }
    const healths = await settleWithLimit(described, HEALTH_READS_IN_FLIGHT, (service) => (role === 'server' ? Promise.resolve([]) : deps.consul.healthService(service.serviceName ?? '')));
    const entries: DeploymentSummary['clusters'][number]['services'] = [];
    for (const [index, service] of described.entries()) {
      const name = service.serviceName ?? '';
      const tasks = tasksByService.get(name) ?? [];
      const settled = healths[index];
      if (settled.status === 'rejected') throw settled.reason;
      const byId = new Map(settled.value.map((h) => [h.Service.ID, h]));
      entries.push({
        name,
        action: actions.get(`${cluster}/${name}`) ?? 'unchanged',
        desiredCount: service.desiredCount ?? 0,
        runningCount: service.runningCount ?? 0,
        taskDefinitionArn: service.taskDefinition ?? '',
        ...(tasks.length > SUMMARY_TASKS_PER_SERVICE ? { tasksNotListed: tasks.length - SUMMARY_TASKS_PER_SERVICE } : {}),
        tasks: tasks.slice(0, SUMMARY_TASKS_PER_SERVICE).map((t) => {
          const taskId = taskIdFromArn(t.taskArn ?? '');
          const entry = byId.get(instanceId(name, taskId));
          return {
            taskId,
            ip: taskPrivateIp(t) ?? '',
            health: t.healthStatus ?? 'UNKNOWN',
            registered: role === 'server' ? true : entry !== undefined,
            passing: role === 'server' ? t.healthStatus === 'HEALTHY' : !!entry && entry.Checks.every((c) => c.Status === 'passing'),
          };
        }),
      });
    }
    clusters.push({ cluster, role, services: entries });
  }
  const [leader, peers] = await Promise.all([deps.consul.leader(), deps.consul.peers()]);
  // The spec's cluster peers with their peerings as Consul reports them now (a plan made before it carried them has none).
  const declared = plan.peering?.peers ?? [];
  const peerings = declared.length > 0 ? await peerViews(declared, (name) => deps.consul.readPeering(name)) : undefined;
  await releaseLock(plan.lockName, plan.lockHolder, { ssm: deps.ssm });
  const images = input.images.map((i) => ({ name: i.name, imageUri: i.imageUri, built: i.status === 'SUCCEEDED' }));
  const noChange = images.every((i) => !i.built) && clusters.every((c) => c.services.every((s) => s.action === 'unchanged'));
  return { mesh: plan.mesh, deploymentId: plan.deploymentId, executionId: input.executionId, leader, peers, ...(peerings ? { peerings } : {}), clusters, images, noChange };
}

/**
 * The failure path of the deploy state machine: release the lock (if the deployment got far enough to take it)
 * and turn Step Functions' `{Error, Cause}` into a cause a person can act on: stage, error, message, service,
 * and for a failed ECS deployment the stopped reason of its tasks.
 */
export async function recordFailure(
  input: { failedStage: string; error: { Error?: string; Cause?: string }; executionId: string; spec: unknown },
  deps: { ecs: StoppedReasonEcs; ssm: LockDeps['ssm'] },
): Promise<{ error: string; cause: string; failure: DeploymentFailure }> {
  const error = input.error.Error ?? 'DeploymentFailed';
  const message = causeMessage(input.error.Cause);
  const failure: DeploymentFailure = { stage: input.failedStage, error, message };
  // Our own messages name the service as "service <name> in|of <cluster>" (ECS) or "image build for <name>" (CodeBuild).
  const service = /\bservice ([a-z][a-z0-9-]*) (?:in|of) /.exec(message)?.[1] ?? /\bimage build for ([a-z][a-z0-9-]*)/.exec(message)?.[1];
  if (service) failure.service = service;
  const parsed = validateSpecObject(input.spec);
  if (parsed.ok) {
    await releaseLock(configParameterNames(parsed.spec).lock, input.executionId, { ssm: deps.ssm });
    if (service && !message.includes('task stopped:')) {
      const cluster = clusterOf(parsed.spec, service);
      if (cluster) {
        const reason = await lastStoppedReason(cluster, service, deps.ecs).catch(() => undefined);
        if (reason) failure.detail = reason;
      }
    }
  }
  return { error, cause: JSON.stringify(failure), failure };
}

function clusterOf(spec: MeshSpec, service: string): string | undefined {
  if (service === 'consul-server') return spec.consul.servers.cluster;
  if (spec.ingress?.name === service) return spec.ingress.cluster;
  if (spec.meshGateway?.name === service) return spec.meshGateway.cluster;
  return spec.clusters.find((c) => c.services.some((s) => s.name === service))?.name;
}
