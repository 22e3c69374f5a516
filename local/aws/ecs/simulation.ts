/**
 * The ECS simulation: store, task lifecycle, service scheduler, event delivery and the API provider, wired together.
 *
 * Besides the AWS API (`provider`, served by the local endpoint) it offers a small read API for the other local
 * services: the Consul simulation asks which server tasks are running (its quorum), the composition lists
 * clusters and services. Everything is keyed by region; the account is fixed.
 *
 * @example
 * const ecs = new EcsSimulation({ faults, delays: { provisioningMs: 0 }, onTaskEvent: (e) => bus.put(e) });
 * endpoint.register(ecs.provider);
 * ecs.runningTasks('consul-server').map((t) => t.privateIp);
 * ecs.close();
 */
import type { Faults } from '../../faults/faults';
import { parseEcsArn } from './arns';
import type { OperationInput, RequestContext, ServiceProvider } from '../protocol';
import { TaskEventDelivery } from './event-delivery';
import type { HealthStatus, TaskDefinitionRecord, TaskRecord, TaskStatus } from './model';
import { DEFAULT_ECS_DELAYS, DEFAULT_ECS_RETENTION, type EcsDelays, type EcsRetention } from './options';
import { countTasks, liveTasksOf } from './operations/common';
import { EcsProvider } from './provider';
import { ServiceScheduler } from './scheduler';
import { exportEcsState, importEcsState, type EcsSnapshot } from './snapshot';
import { EcsStore } from './store';
import { buildTaskStateChangeEvent, type TaskEventSink } from './task-events';
import { TaskLifecycle, type ProcessOutcome } from './task-lifecycle';
import { TimerRegistry } from './timers';

export const DEFAULT_REGION = 'us-east-1';

export interface EcsSimulationOptions {
  delays?: Partial<EcsDelays>;
  retention?: Partial<EcsRetention>;
  /** Consulted for `failTaskStarts` and event faults; `stopRandomTasks` is registered on it. */
  faults?: Faults;
  /** Receives every `ECS Task State Change` event; more sinks can be added with `subscribe`. */
  onTaskEvent?: TaskEventSink;
  logger?: (message: string, error?: unknown) => void;
  /**
   * The platform a registry recorded for an image reference (the local ECR's), or undefined when unknown. A task whose
   * image was built for another CPU architecture than its task definition's runtimePlatform cannot pull it.
   */
  imagePlatform?: (image: string) => { os: string; architecture: string } | undefined;
  /**
   * Why ECS cannot start a task with its task definition's execution role (image pull auth, `secrets`, logs), as
   * the stopped reason, or undefined when it can. Checked before the images are pulled, as Fargate does.
   */
  executionRoleError?: (task: { taskId: string; region: string; clusterArn: string }, definition: TaskDefinitionRecord) => string | undefined;
  /**
   * Stand-ins of the processes in a task's containers (local/task-processes): called when the task reaches RUNNING
   * with the task and its definition; a container may exit or stay unhealthy as its real process would.
   */
  startProcesses?: (task: EcsTaskSnapshot, definition: TaskDefinitionRecord) => Promise<ProcessOutcome[]>;
  /**
   * Told synchronously of every transition of every task (status, health, stop), before and whatever the event
   * faults do to its event: the local Consul follows its server tasks through it.
   */
  onTaskChanged?: (task: EcsTaskSnapshot) => void;
}

/** A read-only view of a task for the other local services. */
export interface EcsTaskSnapshot {
  taskArn: string;
  taskId: string;
  region: string;
  clusterName: string;
  clusterArn: string;
  /** `service:<name>` or `family:<family>` (or the RunTask group). */
  group: string;
  serviceName?: string;
  family: string;
  taskDefinitionArn: string;
  startedBy?: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: HealthStatus;
  privateIp: string;
  availabilityZone: string;
  version: number;
  containers: Array<{ name: string; image: string; lastStatus: string; healthStatus: HealthStatus; exitCode?: number }>;
}

export interface EcsClusterSummary {
  region: string;
  name: string;
  arn: string;
  status: string;
}

export interface EcsServiceSummary {
  region: string;
  clusterName: string;
  name: string;
  arn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinitionArn: string;
  deployments: Array<{ id: string; status: string; rolloutState: string; taskDefinitionArn: string; failedTasks: number }>;
}

function snapshot(task: TaskRecord): EcsTaskSnapshot {
  return {
    taskArn: task.taskArn,
    taskId: task.taskId,
    region: task.region,
    clusterName: task.clusterName,
    clusterArn: task.clusterArn,
    group: task.group,
    serviceName: task.group.startsWith('service:') ? task.group.slice('service:'.length) : undefined,
    family: task.family,
    taskDefinitionArn: task.taskDefinitionArn,
    startedBy: task.startedBy,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    privateIp: task.eni.privateIp,
    availabilityZone: task.availabilityZone,
    version: task.version,
    containers: task.containers.map(({ name, image, lastStatus, healthStatus, exitCode }) => ({
      name,
      image,
      lastStatus,
      healthStatus,
      ...(exitCode === undefined ? {} : { exitCode }),
    })),
  };
}

const defaultLogger = (message: string, error?: unknown) => console.error(`[ecs] ${message}`, error ?? '');

/** ECS operations that only read; every other one counts as a change (see `EcsSimulation.revision`). */
const READ_ONLY = /^(Describe|List)/;

export class EcsSimulation {
  readonly provider: ServiceProvider;
  readonly store: EcsStore;
  private readonly timers = new TimerRegistry();
  private writes = 0;
  private readonly delivery: TaskEventDelivery;
  private readonly lifecycle: TaskLifecycle;
  private readonly scheduler: ServiceScheduler;
  private readonly faults?: Faults;

  constructor(options: EcsSimulationOptions = {}) {
    const delays = { ...DEFAULT_ECS_DELAYS, ...options.delays };
    const retention = { ...DEFAULT_ECS_RETENTION, ...options.retention };
    const logger = options.logger ?? defaultLogger;
    this.faults = options.faults;
    this.store = new EcsStore(retention);
    this.delivery = new TaskEventDelivery(this.timers, logger, options.faults);
    if (options.onTaskEvent) this.delivery.subscribe(options.onTaskEvent);
    this.scheduler = new ServiceScheduler({
      store: this.store,
      timers: this.timers,
      delays,
      retention,
      faults: options.faults,
      lifecycle: () => this.lifecycle,
    });
    this.lifecycle = new TaskLifecycle(this.timers, delays, {
      announce: (task) => {
        if (this.delivery.hasSinks) this.delivery.publish(buildTaskStateChangeEvent(task));
      },
      changed: (task, change) => {
        this.scheduler.taskChanged(task, change);
        options.onTaskChanged?.(snapshot(task));
      },
      regionOf: (task) => this.store.region(task.region),
      pullError: (task) => {
        const definition = this.store.region(task.region).families.get(task.family)?.find((d) => d.arn === task.taskDefinitionArn);
        return (definition && options.executionRoleError?.(task, definition)) ?? platformMismatch(task, this.store.region(task.region), options.imagePlatform);
      },
      ...(options.startProcesses ? { startProcesses: (task: TaskRecord) => this.startProcesses(task, options.startProcesses!) } : {}),
    });
    this.provider = this.countingWrites(new EcsProvider({ store: this.store, scheduler: this.scheduler, lifecycle: this.lifecycle, retention }));
    options.faults?.onStopRandomTasks((count) => this.stopRandomTasks(count));
  }

  /**
   * Grows with every write operation and every step the simulation takes on its own (task transitions, scheduler
   * runs: all of them timers): the local cloud's persistence polls it to know when to save.
   */
  get revision(): number {
    return this.writes + this.timers.fired;
  }

  /** Clusters, task definitions and services as plain data (tasks are not saved: see `snapshot.ts`). */
  exportSnapshot(): EcsSnapshot {
    return exportEcsState(this.store);
  }

  /**
   * Puts saved clusters, task definitions and services into this (new, empty) simulation and lets the scheduler
   * start fresh tasks for each service's desired count. Call it once the task events have somewhere to go.
   */
  importSnapshot(snapshot: EcsSnapshot): void {
    for (const service of importEcsState(this.store, snapshot)) this.scheduler.request(service);
    this.writes += 1;
  }

  /**
   * The tags of a cluster or service by ARN (undefined for anything else or an unknown one), for IAM's
   * `aws:ResourceTag/<key>` condition keys, which ECS supplies for the actions on an existing resource.
   */
  resourceTags(arn: string): Record<string, string> | undefined {
    const parsed = parseEcsArn(arn);
    if (!parsed) return undefined;
    const state = this.store.region(parsed.region);
    const parts = parsed.resource.split('/');
    const record =
      parsed.resourceType === 'cluster' ? state.cluster(parsed.resource) : parsed.resourceType === 'service' && parts.length === 2 ? state.service(parts[0], parts[1]) : undefined;
    return record ? Object.fromEntries(record.tags.map((tag) => [tag.key ?? '', tag.value ?? ''])) : undefined;
  }

  private async startProcesses(task: TaskRecord, run: NonNullable<EcsSimulationOptions['startProcesses']>): Promise<ProcessOutcome[]> {
    const definition = this.store.region(task.region).taskDefinition(task.taskDefinitionArn);
    return definition ? run(snapshot(task), definition) : [];
  }

  /** True once `close()` ran: no step of the simulation runs any more. */
  get isClosed(): boolean {
    return this.timers.isClosed;
  }

  /** Adds a receiver of task events; returns the function that removes it. */
  subscribe(sink: TaskEventSink): () => void {
    return this.delivery.subscribe(sink);
  }

  /** Tasks of a cluster whose lastStatus is RUNNING and that ECS has not decided to stop. */
  runningTasks(clusterName: string, region = DEFAULT_REGION): EcsTaskSnapshot[] {
    return this.store
      .region(region)
      .tasksOf(clusterName)
      .filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING')
      .map(snapshot);
  }

  /** Every task of a cluster that has not reached STOPPED yet (starting, running, stopping). */
  liveTasks(clusterName: string, region = DEFAULT_REGION): EcsTaskSnapshot[] {
    return this.store
      .region(region)
      .tasksOf(clusterName)
      .filter((task) => task.lastStatus !== 'STOPPED')
      .map(snapshot);
  }

  /** One task by ARN (kept for a while after it stopped), or undefined. */
  task(taskArn: string, region = DEFAULT_REGION): EcsTaskSnapshot | undefined {
    const task = this.store.region(region).tasks.get(taskArn);
    return task ? snapshot(task) : undefined;
  }

  clusters(region = DEFAULT_REGION): EcsClusterSummary[] {
    return [...this.store.region(region).clusters.values()].map(({ name, arn, status }) => ({ region, name, arn, status }));
  }

  /** Services of a region (optionally of one cluster), including DRAINING and recently INACTIVE ones. */
  services(region = DEFAULT_REGION, clusterName?: string): EcsServiceSummary[] {
    const state = this.store.region(region);
    return [...state.services.values()]
      .filter((service) => clusterName === undefined || service.clusterName === clusterName)
      .map((service) => {
        const live = liveTasksOf(state, service);
        return {
          region,
          clusterName: service.clusterName,
          name: service.name,
          arn: service.arn,
          status: service.status,
          desiredCount: service.desiredCount,
          ...countTasks(live),
          taskDefinitionArn: service.taskDefinitionArn,
          deployments: service.deployments.map(({ id, status, rolloutState, taskDefinitionArn, failedTasks }) => ({
            id,
            status,
            rolloutState,
            taskDefinitionArn,
            failedTasks,
          })),
        };
      });
  }

  /**
   * Fault injection: `count` random RUNNING tasks (all regions) crash as if their essential container died
   * (exit 137, stopCode EssentialContainerExited); services replace them. Returns the stopped task ARNs.
   */
  stopRandomTasks(count: number): string[] {
    const candidates = this.store
      .allRegions()
      .flatMap((state) => [...state.tasks.values()])
      .filter((task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING');
    const stopped: string[] = [];
    while (stopped.length < count && candidates.length > 0) {
      const index = this.faults ? this.faults.pick(candidates.length) : Math.floor(Math.random() * candidates.length);
      const [task] = candidates.splice(index, 1);
      if (this.lifecycle.crash(task, 137)) stopped.push(task.taskArn);
    }
    return stopped;
  }

  /**
   * Fault injection: every RUNNING task of the services named `serviceName` (all clusters and regions) crashes at
   * once (exit 137, EssentialContainerExited), e.g. every Consul server; the services start replacements. Returns
   * the stopped task ARNs.
   */
  crashServiceTasks(serviceName: string, region?: string): string[] {
    const victims = this.store
      .allRegions()
      .flatMap((state) => [...state.tasks.values()])
      .filter((task) => task.group === `service:${serviceName}` && task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING')
      .filter((task) => region === undefined || task.region === region);
    return victims.filter((task) => this.lifecycle.crash(task, 137)).map((task) => task.taskArn);
  }

  /** The provider with every operation that may write counted in {@link EcsSimulation.revision}. */
  private countingWrites(provider: ServiceProvider): ServiceProvider {
    const operations = Object.fromEntries(
      Object.entries(provider.operations).map(([name, handler]) => [
        name,
        READ_ONLY.test(name)
          ? handler
          : (input: OperationInput, ctx: RequestContext) => {
              this.writes += 1;
              return handler(input, ctx);
            },
      ]),
    );
    return { ...provider, operations };
  }

  /** Number of pending timers (for tests that check nothing is left behind). */
  get pendingTimers(): number {
    return this.timers.pending;
  }

  /** Clears every timer and sink; the simulation makes no progress afterwards. */
  close(): void {
    this.timers.close();
    this.scheduler.close();
    this.delivery.close();
  }
}

/** Docker's architecture name of an ECS runtimePlatform.cpuArchitecture. */
const DOCKER_ARCHITECTURE: Record<string, string> = { X86_64: 'amd64', ARM64: 'arm64' };

/**
 * The stopped reason of a task whose image has no manifest for the task's platform: the task definition's
 * runtimePlatform (without one Fargate runs LINUX on X86_64). ECS reports it as a CannotPullContainerError, e.g.
 * "image Manifest does not contain descriptor matching platform 'linux/arm64'".
 */
export function platformMismatch(
  task: TaskRecord,
  region: { families: Map<string, Array<{ arn: string; extra: Record<string, unknown> }>> },
  imagePlatform: EcsSimulationOptions['imagePlatform'],
): string | undefined {
  if (!imagePlatform) return undefined;
  const definition = region.families.get(task.family)?.find((d) => d.arn === task.taskDefinitionArn);
  const runtime = definition?.extra.runtimePlatform as { cpuArchitecture?: string } | undefined;
  const wanted = DOCKER_ARCHITECTURE[runtime?.cpuArchitecture ?? 'X86_64'] ?? 'amd64';
  for (const container of task.containers) {
    const platform = imagePlatform(container.image);
    if (platform && platform.architecture !== wanted) {
      return (
        `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${container.image}: ` +
        `image Manifest does not contain descriptor matching platform 'linux/${wanted}'`
      );
    }
  }
  return undefined;
}
