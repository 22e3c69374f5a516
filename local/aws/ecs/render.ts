/**
 * Records → the shapes ECS sends. The API uses epoch seconds (the JSON protocol's timestamps); the
 * `ECS Task State Change` event detail uses ISO strings and names the ENI attachment type `eni`.
 */
import { LOCAL_ACCOUNT_ID, toEpochSeconds } from '../protocol';
import type {
  ClusterRecord,
  ContainerRecord,
  DeploymentRecord,
  ServiceRecord,
  Tag,
  TaskDefinitionRecord,
  TaskRecord,
} from './model';

type Json = Record<string, unknown>;
type TimeFormat = (ms: number) => number | string;

const REGISTERED_BY = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:root`;

/** ISO strings of recent instants: a task's timestamps repeat in each of its events, and tasks start in batches. */
const isoCache = new Map<number, string>();
const isoTime: TimeFormat = (ms) => {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size >= 4096) isoCache.clear();
    iso = new Date(ms).toISOString();
    isoCache.set(ms, iso);
  }
  return iso;
};

/**
 * A copy without undefined members, so in-process consumers see the same keys as JSON clients.
 * (Copying rather than `delete`-ing keeps the objects fast: events are built for every task transition.)
 */
export function compact<T extends Json>(value: T): T {
  const result: Json = {};
  for (const key in value) {
    const member = value[key];
    if (member !== undefined) result[key] = member;
  }
  return result as T;
}

const at = (ms: number | undefined, time: TimeFormat) => (ms === undefined ? undefined : time(ms));

export function tagsToApi(tags: Tag[]): Tag[] {
  return tags.map(({ key, value }) => ({ key, value }));
}

function containerShape(task: TaskRecord, container: ContainerRecord): Json {
  return compact({
    containerArn: container.containerArn,
    taskArn: task.taskArn,
    name: container.name,
    image: container.image,
    imageDigest: container.imageDigest,
    runtimeId: container.runtimeId,
    lastStatus: container.lastStatus,
    exitCode: container.exitCode,
    reason: container.reason,
    networkBindings: [],
    networkInterfaces: [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIp }],
    healthStatus: container.healthStatus,
    cpu: container.cpu,
    memory: container.memory === undefined ? undefined : String(container.memory),
  });
}

function taskShape(task: TaskRecord, time: TimeFormat, attachmentType: string): Json {
  const { eni } = task;
  return compact({
    attachments: [
      {
        id: eni.attachmentId,
        type: attachmentType,
        status: eni.status,
        details: [
          { name: 'subnetId', value: eni.subnetId },
          { name: 'networkInterfaceId', value: eni.networkInterfaceId },
          { name: 'macAddress', value: eni.macAddress },
          { name: 'privateDnsName', value: `ip-${eni.privateIp.replaceAll('.', '-')}.ec2.internal` },
          { name: 'privateIPv4Address', value: eni.privateIp },
        ],
      },
    ],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: task.availabilityZone,
    clusterArn: task.clusterArn,
    connectivity: task.connectivity,
    connectivityAt: at(task.connectivityAt, time),
    containers: task.containers.map((container) => containerShape(task, container)),
    cpu: task.cpu,
    createdAt: time(task.createdAt),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    executionStoppedAt: at(task.executionStoppedAt, time),
    group: task.group,
    healthStatus: task.healthStatus,
    lastStatus: task.lastStatus,
    launchType: task.launchType,
    memory: task.memory,
    overrides: task.overrides,
    platformVersion: task.platformVersion,
    platformFamily: task.launchType === 'FARGATE' ? 'Linux' : undefined,
    pullStartedAt: at(task.pullStartedAt, time),
    pullStoppedAt: at(task.pullStoppedAt, time),
    startedAt: at(task.startedAt, time),
    startedBy: task.startedBy,
    stopCode: task.stopCode,
    stoppedAt: at(task.stoppedAt, time),
    stoppedReason: task.stoppedReason,
    stoppingAt: at(task.stoppingAt, time),
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: task.version,
    ephemeralStorage: task.launchType === 'FARGATE' ? { sizeInGiB: 20 } : undefined,
  });
}

/** DescribeTasks' `Task` (tags only when `include: ["TAGS"]`). */
export function taskToApi(task: TaskRecord, includeTags: boolean): Json {
  const shape = taskShape(task, toEpochSeconds, 'ElasticNetworkInterface');
  return includeTags ? { ...shape, tags: tagsToApi(task.tags) } : shape;
}

/** The `detail` of an `ECS Task State Change` event: the Task with ISO timestamps and `updatedAt`. */
export function taskToEventDetail(task: TaskRecord): Json {
  return { ...taskShape(task, isoTime, 'eni'), updatedAt: isoTime(task.updatedAt) };
}

export function taskDefinitionToApi(definition: TaskDefinitionRecord): Json {
  return compact({
    ...definition.extra,
    taskDefinitionArn: definition.arn,
    family: definition.family,
    revision: definition.revision,
    status: definition.status,
    containerDefinitions: definition.containerDefinitions,
    networkMode: definition.networkMode,
    requiresCompatibilities: definition.requiresCompatibilities,
    compatibilities: definition.networkMode === 'awsvpc' ? ['EC2', 'FARGATE'] : ['EC2'],
    requiresAttributes: [],
    placementConstraints: definition.extra.placementConstraints ?? [],
    volumes: definition.extra.volumes ?? [],
    cpu: definition.cpu,
    memory: definition.memory,
    registeredAt: toEpochSeconds(definition.registeredAt),
    registeredBy: REGISTERED_BY,
    deregisteredAt: at(definition.deregisteredAt, toEpochSeconds),
  });
}

export interface ClusterCounts {
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
}

export function clusterToApi(cluster: ClusterRecord, counts: ClusterCounts, includeTags: boolean): Json {
  return compact({
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: cluster.status,
    registeredContainerInstancesCount: 0,
    ...counts,
    statistics: [],
    tags: includeTags ? tagsToApi(cluster.tags) : undefined,
    settings: cluster.settings.length > 0 ? cluster.settings : [{ name: 'containerInsights', value: 'disabled' }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
    serviceConnectDefaults: cluster.serviceConnectDefaults,
  });
}

export interface TaskCounts {
  runningCount: number;
  pendingCount: number;
}

export function deploymentToApi(deployment: DeploymentRecord, counts: TaskCounts): Json {
  return compact({
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinitionArn,
    desiredCount: deployment.desiredCount,
    pendingCount: counts.pendingCount,
    runningCount: counts.runningCount,
    failedTasks: deployment.failedTasks,
    createdAt: toEpochSeconds(deployment.createdAt),
    updatedAt: toEpochSeconds(deployment.updatedAt),
    launchType: deployment.launchType,
    platformVersion: deployment.platformVersion,
    platformFamily: deployment.launchType === 'FARGATE' ? 'Linux' : undefined,
    networkConfiguration: deployment.networkConfiguration,
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  });
}

/** DescribeServices' `Service`; `countsOf` computes running/pending counts from the live tasks. */
export function serviceToApi(
  service: ServiceRecord,
  countsOf: (deploymentId?: string) => TaskCounts,
  includeTags: boolean,
): Json {
  const total = countsOf();
  return compact({
    ...service.extra,
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: total.runningCount,
    pendingCount: total.pendingCount,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
    taskDefinition: service.taskDefinitionArn,
    deploymentConfiguration: service.deploymentConfiguration,
    deployments: service.deployments.map((deployment) => deploymentToApi(deployment, countsOf(deployment.id))),
    events: service.events.map((event) => ({ id: event.id, createdAt: toEpochSeconds(event.createdAt), message: event.message })),
    createdAt: toEpochSeconds(service.createdAt),
    createdBy: REGISTERED_BY,
    networkConfiguration: service.networkConfiguration,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    enableECSManagedTags: service.enableECSManagedTags,
    propagateTags: service.propagateTags,
    enableExecuteCommand: false,
    tags: includeTags ? tagsToApi(service.tags) : undefined,
  });
}
