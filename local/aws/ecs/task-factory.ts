/**
 * Builds new task records (RunTask and the service scheduler): ID, ARN, ENI and address, containers and tags.
 */
import { randomUUID } from 'node:crypto';
import { ecsArn, newTaskId } from './arns';
import { isCrashingImage, isUnhealthyImage } from './images';
import type { ClusterRecord, ContainerRecord, HealthCheckTiming, Tag, TaskDefinitionRecord, TaskRecord } from './model';
import { buildEni, placeTask } from './network';
import type { RegionState } from './store';

export interface NewTaskSpec {
  state: RegionState;
  cluster: ClusterRecord;
  definition: TaskDefinitionRecord;
  group: string;
  startedBy?: string;
  serviceArn?: string;
  deploymentId?: string;
  launchType: string;
  platformVersion?: string;
  networkConfiguration?: unknown;
  overrides?: Record<string, unknown>;
  tags: Tag[];
  /** An injected start failure (`Faults.failTaskStarts`): the essential container exits like a `fail-` image's. */
  injectStartFailure: boolean;
}

interface ContainerOverride {
  name?: unknown;
  cpu?: unknown;
  memory?: unknown;
}

function containerOverrides(overrides: Record<string, unknown> | undefined): ContainerOverride[] {
  const list = overrides?.containerOverrides;
  return Array.isArray(list) ? list.filter((o): o is ContainerOverride => typeof o === 'object' && o !== null) : [];
}

/** ECS's HealthCheck defaults: interval 30 s, retries 3, no start period. */
function healthCheckTiming(check: unknown): HealthCheckTiming {
  const value = (key: string, fallback: number) => {
    const v = (check as Record<string, unknown>)[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  return { interval: value('interval', 30), retries: value('retries', 3), startPeriod: value('startPeriod', 0) };
}

export function buildTask(spec: NewTaskSpec): TaskRecord {
  const { state, cluster, definition } = spec;
  const seq = state.nextSequence();
  const taskId = newTaskId();
  const taskArn = ecsArn.task(state.region, cluster.name, taskId);
  const { subnetId, availabilityZone } = placeTask(seq, state.region, spec.networkConfiguration);
  const now = Date.now();
  const firstEssential = definition.containerDefinitions.find((c) => c.essential);
  const containers: ContainerRecord[] = definition.containerDefinitions.map((def) => ({
    containerArn: ecsArn.container(state.region, cluster.name, taskId, randomUUID()),
    name: def.name,
    image: def.image,
    essential: def.essential,
    hasHealthCheck: def.healthCheck !== undefined && def.healthCheck !== null,
    ...(def.healthCheck !== undefined && def.healthCheck !== null ? { healthCheckTiming: healthCheckTiming(def.healthCheck) } : {}),
    crashes: isCrashingImage(def.image) || (spec.injectStartFailure && def === firstEssential),
    unhealthy: isUnhealthyImage(def.image),
    lastStatus: 'PENDING',
    healthStatus: 'UNKNOWN',
    cpu: String(typeof def.cpu === 'number' ? def.cpu : 0),
    memory: typeof def.memory === 'number' ? def.memory : undefined,
  }));
  const overrides = spec.overrides ?? {};
  const taskOverrides = {
    ...overrides,
    containerOverrides:
      containerOverrides(overrides).length > 0 ? overrides.containerOverrides : containers.map(({ name }) => ({ name })),
    inferenceAcceleratorOverrides: overrides.inferenceAcceleratorOverrides ?? [],
  };
  return {
    seq,
    region: state.region,
    taskArn,
    taskId,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    taskDefinitionArn: definition.arn,
    family: definition.family,
    group: spec.group,
    startedBy: spec.startedBy,
    serviceArn: spec.serviceArn,
    deploymentId: spec.deploymentId,
    launchType: spec.launchType,
    platformVersion: spec.launchType === 'FARGATE' ? (spec.platformVersion ?? '1.4.0').replace('LATEST', '1.4.0') : undefined,
    cpu: typeof overrides.cpu === 'string' ? overrides.cpu : definition.cpu,
    memory: typeof overrides.memory === 'string' ? overrides.memory : definition.memory,
    availabilityZone,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    version: 0,
    createdAt: now,
    updatedAt: now,
    failed: false,
    eni: buildEni(subnetId, state.addresses.allocate()),
    containers,
    tags: spec.tags,
    overrides: taskOverrides,
  };
}
