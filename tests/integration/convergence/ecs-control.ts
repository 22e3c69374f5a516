import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { LocalCloud } from '@consul-mesh/local-cloud';

/** An ECS service of the mesh, by cluster and name. */
export interface ServiceRef {
  cluster: string;
  name: string;
}

export async function scaleService(ecs: ECSClient, service: ServiceRef, desiredCount: number): Promise<void> {
  await ecs.send(new UpdateServiceCommand({ cluster: service.cluster, service: service.name, desiredCount }));
}

/**
 * Rolls a service as an operator would outside the orchestrator: a new deployment of the same task definition
 * (`forceNewDeployment`), or a new revision of its family (one environment variable changed) put in service.
 */
export async function rollService(ecs: ECSClient, service: ServiceRef, how: 'force' | 'revision', marker: string): Promise<void> {
  if (how === 'force') {
    await ecs.send(new UpdateServiceCommand({ cluster: service.cluster, service: service.name, forceNewDeployment: true }));
    return;
  }
  const [current] = (await ecs.send(new DescribeServicesCommand({ cluster: service.cluster, services: [service.name] }))).services ?? [];
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current?.taskDefinition }));
  if (!taskDefinition) throw new Error(`service ${service.cluster}/${service.name} has no task definition`);
  const containerDefinitions = (taskDefinition.containerDefinitions ?? []).map((container, i) =>
    i === 0 ? { ...container, environment: [...(container.environment ?? []).filter((e) => e.name !== 'ROLL_MARKER'), { name: 'ROLL_MARKER', value: marker }] } : container,
  );
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: taskDefinition.family,
      taskRoleArn: taskDefinition.taskRoleArn,
      executionRoleArn: taskDefinition.executionRoleArn,
      networkMode: taskDefinition.networkMode,
      requiresCompatibilities: taskDefinition.requiresCompatibilities,
      cpu: taskDefinition.cpu,
      memory: taskDefinition.memory,
      volumes: taskDefinition.volumes,
      runtimePlatform: taskDefinition.runtimePlatform,
      containerDefinitions,
    }),
  );
  await ecs.send(new UpdateServiceCommand({ cluster: service.cluster, service: service.name, taskDefinition: registered.taskDefinition?.taskDefinitionArn }));
}

/**
 * Whether every service of `clusters` is stable as DescribeServices shows it (ECS's services-stable condition:
 * one deployment, `runningCount == desiredCount`, nothing pending), its tasks all report HEALTHY, and the ECS
 * simulation has no timer left (no lifecycle step, scheduler wake-up, or held or delayed task event).
 */
export async function isEcsSteady(cloud: LocalCloud, ecs: ECSClient, clusters: readonly string[]): Promise<boolean> {
  for (const cluster of clusters) {
    const arns = (await ecs.send(new ListServicesCommand({ cluster }))).serviceArns ?? [];
    if (arns.length === 0) continue;
    const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster, services: arns }));
    const stable = services.every((s) => s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.pendingCount === 0);
    if (!stable) return false;
    if (!cloud.ecs.liveTasks(cluster).every((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.healthStatus === 'HEALTHY')) return false;
  }
  return cloud.ecs.pendingTimers === 0;
}

/**
 * Waits until ECS is steady and every task event, delivery retry and Lambda invocation has ended: the state in
 * which the catalog must equal the running tasks once the reconcile ran.
 */
export async function waitForQuiet(
  cloud: LocalCloud,
  ecs: ECSClient,
  clusters: readonly string[],
  timeoutMs = 15_000,
  /** Runs about every `tickMs` while ECS is not steady (the reconcile's schedule, `rate(1 minute)` on AWS). */
  tick?: { everyMs: number; run: () => void },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextTick = tick ? Date.now() + tick.everyMs : Infinity;
  for (;;) {
    if (tick && Date.now() >= nextTick) {
      tick.run();
      nextTick = Date.now() + tick.everyMs;
    }
    if (await isEcsSteady(cloud, ecs, clusters)) {
      await cloud.settle();
      // Settling ran handlers only; if ECS is still steady nothing can start another event.
      if (await isEcsSteady(cloud, ecs, clusters)) return;
    }
    if (Date.now() > deadline) throw new Error(`ECS did not become steady within ${timeoutMs} ms: ${describeUnsteady(cloud, clusters)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function describeUnsteady(cloud: LocalCloud, clusters: readonly string[]): string {
  const services = cloud.ecs
    .services()
    .filter((s) => clusters.includes(s.clusterName) && s.status === 'ACTIVE')
    .map((s) => `${s.name} ${s.runningCount}/${s.desiredCount} deployments=${s.deployments.map((d) => `${d.status}:${d.rolloutState}`).join(',')}`);
  return `${services.join('; ')}; pending ECS timers ${cloud.ecs.pendingTimers}`;
}
