/**
 * What the ECS operations share: their dependencies and the lookups that raise ECS's own errors.
 */
import { AwsServiceError, invalidParameter } from '../../protocol';
import { clusterNameOf, serviceNameOf } from '../arns';
import type { ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from '../model';
import type { EcsRetention } from '../options';
import type { ServiceScheduler } from '../scheduler';
import { serviceToApi, type TaskCounts } from '../render';
import type { EcsStore, RegionState } from '../store';
import type { TaskLifecycle } from '../task-lifecycle';

export interface EcsOperationDependencies {
  store: EcsStore;
  scheduler: ServiceScheduler;
  lifecycle: TaskLifecycle;
  retention: EcsRetention;
}

const STARTING: ReadonlySet<string> = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

export const clusterNotFound = () => new AwsServiceError('ClusterNotFoundException', 'Cluster not found.', 400);
export const serviceNotFound = () => new AwsServiceError('ServiceNotFoundException', 'Service not found.', 400);
export const serviceNotActive = () => new AwsServiceError('ServiceNotActiveException', 'Service was not ACTIVE.', 400);

/** The cluster a request names (by name or ARN; `default` when it names none); it must exist and be ACTIVE. */
export function activeCluster(state: RegionState, reference: string | undefined): ClusterRecord {
  const cluster = state.cluster(clusterNameOf(reference));
  if (!cluster) throw clusterNotFound();
  if (cluster.status !== 'ACTIVE') {
    throw new AwsServiceError('ClusterNotFoundException', 'The referenced cluster was inactive.', 400);
  }
  return cluster;
}

/** The service a request names (by name or ARN) in `cluster`, whatever its status; ServiceNotFoundException otherwise. */
export function existingService(state: RegionState, cluster: ClusterRecord, reference: string): ServiceRecord {
  const service = state.service(cluster.name, serviceNameOf(reference));
  if (!service) throw serviceNotFound();
  return service;
}

/** A task definition that can start new tasks (exists and is ACTIVE). */
export function usableTaskDefinition(state: RegionState, reference: string): TaskDefinitionRecord {
  const definition = state.taskDefinition(reference);
  if (!definition) throw invalidParameter('TaskDefinition not found.');
  if (definition.status !== 'ACTIVE') throw invalidParameter('TaskDefinition is inactive');
  return definition;
}

/** ECS refuses awsvpc tasks without subnets: the ENI has to be placed somewhere. */
export function requireNetworkConfiguration(definition: TaskDefinitionRecord, networkConfiguration: unknown): void {
  if (definition.networkMode !== 'awsvpc') return;
  const subnets = (networkConfiguration as { awsvpcConfiguration?: { subnets?: unknown } } | undefined)?.awsvpcConfiguration?.subnets;
  if (!networkConfiguration) {
    throw invalidParameter(`Network Configuration must be provided when networkMode 'awsvpc' is specified.`);
  }
  if (!Array.isArray(subnets) || subnets.length === 0) throw invalidParameter('subnets can not be empty.');
}

/** Defaults the launch type from what the task definition requires (no container instances are simulated). */
export function launchTypeFor(definition: TaskDefinitionRecord, requested: string | undefined): string {
  if (requested) return requested;
  return definition.requiresCompatibilities.includes('FARGATE') || definition.networkMode === 'awsvpc' ? 'FARGATE' : 'EC2';
}

/** runningCount counts RUNNING tasks; pendingCount those still starting (PROVISIONING, PENDING, ACTIVATING). */
export function countTasks(tasks: Iterable<TaskRecord>): TaskCounts {
  let runningCount = 0;
  let pendingCount = 0;
  for (const task of tasks) {
    if (task.lastStatus === 'RUNNING') runningCount += 1;
    else if (task.desiredStatus === 'RUNNING' && STARTING.has(task.lastStatus)) pendingCount += 1;
  }
  return { runningCount, pendingCount };
}

export function liveTasksOf(state: RegionState, service: ServiceRecord): TaskRecord[] {
  const tasks: TaskRecord[] = [];
  for (const arn of service.taskArns) {
    const task = state.tasks.get(arn);
    if (task) tasks.push(task);
  }
  return tasks;
}

export function describeService(state: RegionState, service: ServiceRecord, includeTags: boolean): Record<string, unknown> {
  const live = liveTasksOf(state, service);
  return serviceToApi(
    service,
    (deploymentId) => countTasks(deploymentId ? live.filter((t) => t.deploymentId === deploymentId) : live),
    includeTags,
  );
}

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;

/** Task-definition families: up to 255 letters, numbers, hyphens and underscores (RegisterTaskDefinition's ClientException). */
export function validFamily(family: string): string {
  if (!NAME_PATTERN.test(family)) {
    throw new AwsServiceError('ClientException', 'Family name must be 1-255 characters: letters, numbers, hyphens and underscores.', 400);
  }
  return family;
}
