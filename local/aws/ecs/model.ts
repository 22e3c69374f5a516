/**
 * The records the ECS simulation keeps. They are internal (mutable, epoch-ms timestamps); `render.ts` turns
 * them into the API shapes (epoch seconds) and the event shapes (ISO strings).
 */

export interface Tag {
  key: string;
  value: string;
}

export type ResourceStatus = 'ACTIVE' | 'INACTIVE';

export interface ClusterRecord {
  name: string;
  arn: string;
  status: ResourceStatus;
  tags: Tag[];
  settings: unknown[];
  /** The Cloud Map namespace Service Connect uses by default (`namespace`: its ARN). */
  serviceConnectDefaults?: { namespace: string };
  createdAt: number;
}

/** A registered revision; `input` keeps what the caller sent so DescribeTaskDefinition can echo it. */
export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  arn: string;
  status: ResourceStatus;
  containerDefinitions: ContainerDefinition[];
  networkMode: string;
  requiresCompatibilities: string[];
  cpu?: string;
  memory?: string;
  /** Everything else of the RegisterTaskDefinition input (roles, volumes, ...), echoed back as is. */
  extra: Record<string, unknown>;
  tags: Tag[];
  registeredAt: number;
  deregisteredAt?: number;
}

export interface ContainerDefinition extends Record<string, unknown> {
  name: string;
  image: string;
  essential: boolean;
  healthCheck?: unknown;
}

/** The task lifecycle of ECS (Fargate/awsvpc flavour): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html */
export type TaskStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';

export type StopCode = 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated';

/** How the simulated containers of a task behave, decided when the task is created. */
export type TaskBehaviour = 'healthy' | 'crash' | 'unhealthy';

export interface ContainerRecord {
  containerArn: string;
  name: string;
  image: string;
  essential: boolean;
  hasHealthCheck: boolean;
  /** This container exits with code 1 right after starting (a `fail-` image or an injected start failure). */
  crashes: boolean;
  /** This container reports UNHEALTHY (an `unhealthy-` image, or a process that is not ready: see `ProcessOutcome`). */
  unhealthy: boolean;
  /** The exit code a crashing container exits with (default 1). */
  crashExitCode?: number;
  /** The task definition's health-check timing (ECS's defaults where it gives none), for containers with a check. */
  healthCheckTiming?: HealthCheckTiming;
  /**
   * Runs the container's health check once, as ECS does every `interval` (a process stand-in that can evaluate it:
   * see `ProcessOutcome.probe`): undefined when it passes, else what it printed.
   */
  probe?: () => Promise<string | undefined>;
  /** Consecutive failed probes once the start period is over (or after a first pass). */
  probeFailures?: number;
  /** A probe passed once: the start period is over (ECS: "if a check succeeds within the start period ..."). */
  probePassed?: boolean;
  /** Why the container stopped or is unhealthy, in a few words (`containers[].reason` of DescribeTasks). */
  reason?: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  healthStatus: HealthStatus;
  exitCode?: number;
  imageDigest?: string;
  runtimeId?: string;
  cpu: string;
  memory?: number;
}

/** A container health check's timing, in the task definition's seconds (ECS HealthCheck). */
export interface HealthCheckTiming {
  readonly interval: number;
  readonly retries: number;
  readonly startPeriod: number;
}

export interface EniRecord {
  attachmentId: string;
  status: 'PRECREATED' | 'ATTACHED' | 'DETACHED' | 'DELETED';
  subnetId: string;
  networkInterfaceId: string;
  macAddress: string;
  privateIp: string;
}

export interface TaskRecord {
  /** Creation order within the region; the key of ListTasks pagination. */
  seq: number;
  region: string;
  taskArn: string;
  taskId: string;
  clusterName: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  group: string;
  startedBy?: string;
  /** Set for tasks a service's scheduler started. */
  serviceArn?: string;
  /** The deployment (`ecs-svc/...`) that started the task; equals `startedBy` for service tasks. */
  deploymentId?: string;
  launchType: string;
  platformVersion?: string;
  cpu?: string;
  memory?: string;
  availabilityZone: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: HealthStatus;
  connectivity?: 'CONNECTED' | 'DISCONNECTED';
  connectivityAt?: number;
  /** Increments on every change of lastStatus, desiredStatus or healthStatus (ECS's `version`). */
  version: number;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  stopCode?: StopCode;
  stoppedReason?: string;
  /** The task stopped because it failed (crash, failed start, failed health checks): counts for the circuit breaker. */
  failed: boolean;
  eni: EniRecord;
  containers: ContainerRecord[];
  tags: Tag[];
  overrides: Record<string, unknown>;
  /** The one pending lifecycle timer of this task, if any (cleared when the task stops or the simulation closes). */
  timer?: NodeJS.Timeout;
}

export type DeploymentStatus = 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface DeploymentRecord {
  id: string;
  status: DeploymentStatus;
  taskDefinitionArn: string;
  desiredCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  launchType: string;
  platformVersion?: string;
  networkConfiguration?: unknown;
  /** Set on a deployment the circuit breaker started to undo the failed deployment with this ID. */
  rollbackOf?: string;
}

export interface DeploymentConfiguration {
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
}

export interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

export type ServiceStatus = 'ACTIVE' | 'DRAINING' | 'INACTIVE';

export interface ServiceRecord {
  region: string;
  name: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  status: ServiceStatus;
  desiredCount: number;
  taskDefinitionArn: string;
  launchType: string;
  platformVersion?: string;
  networkConfiguration?: unknown;
  deploymentConfiguration: DeploymentConfiguration;
  /** PRIMARY first, then the older (ACTIVE) deployments still draining. */
  deployments: DeploymentRecord[];
  /** Newest first, at most 100 (what DescribeServices shows). */
  events: ServiceEventRecord[];
  propagateTags: 'TASK_DEFINITION' | 'SERVICE' | 'NONE';
  enableECSManagedTags: boolean;
  tags: Tag[];
  /** The rest of the CreateService input (loadBalancers, serviceRegistries, ...), echoed back. */
  extra: Record<string, unknown>;
  clientToken?: string;
  /** A canonical form of the CreateService input, to recognise an idempotent retry. */
  creationFingerprint: string;
  createdAt: number;
  /** What to roll back to: the task definition (and network) of the last COMPLETED deployment. */
  lastCompleted?: { taskDefinitionArn: string; networkConfiguration?: unknown };
  /** Live (not yet STOPPED) tasks of the service. */
  taskArns: Set<string>;
  /** Failures since the service last reached a steady state; drives the restart back-off. */
  consecutiveFailures: number;
  /** No new task is started before this instant (ECS throttles services whose tasks keep failing). */
  backoffUntil: number;
  steady: boolean;
}
