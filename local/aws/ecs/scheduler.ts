/**
 * The service scheduler: keeps `desiredCount` tasks per ACTIVE service and performs rolling deployments.
 *
 * Rules obeyed (ECS rolling update, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
 * - at most `maximumPercent` of desiredCount tasks (rounded down) exist at any time, counting stopping ones;
 * - at least `minimumHealthyPercent` (rounded up) stay healthy: an old task is stopped only if that still holds;
 * - the deployment circuit breaker fails a deployment after 0.5 × desiredCount failed tasks, clamped to [3, 200],
 *   and with `rollback` starts a new deployment of the last COMPLETED task definition;
 * - a service is stable when it has one deployment and runningCount == desiredCount.
 * Reconciles are coalesced per service and always deferred (timers), so the loop never spins.
 */
import type { Faults } from '../../faults/faults';
import { newDeploymentId } from './arns';
import type { DeploymentRecord, ServiceRecord, Tag, TaskRecord } from './model';
import type { EcsDelays, EcsRetention } from './options';
import { addServiceEvent, serviceMessages } from './service-events';
import type { EcsStore, RegionState } from './store';
import { buildTask, type NewTaskSpec } from './task-factory';
import type { TaskChange, TaskLifecycle } from './task-lifecycle';
import type { TimerRegistry } from './timers';

const CIRCUIT_BREAKER_REASON = 'ECS deployment circuit breaker: tasks failed to start.';

/** A task with a health check counts as healthy once HEALTHY; one without, once RUNNING. */
export function isHealthyRunning(task: TaskRecord): boolean {
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') return false;
  const reportsHealth = task.containers.some((c) => c.essential && (c.hasHealthCheck || c.unhealthy));
  return reportsHealth ? task.healthStatus === 'HEALTHY' : true;
}

/** ECS's failure threshold: 0.5 × desired count, at least 3 and at most 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

export interface SchedulerDependencies {
  store: EcsStore;
  timers: TimerRegistry;
  delays: EcsDelays;
  retention: EcsRetention;
  faults?: Faults;
  lifecycle: () => TaskLifecycle;
}

export class ServiceScheduler {
  private readonly queued = new Set<ServiceRecord>();
  private readonly wakeups = new Map<ServiceRecord, NodeJS.Timeout>();

  constructor(private readonly deps: SchedulerDependencies) {}

  private get lifecycle(): TaskLifecycle {
    return this.deps.lifecycle();
  }

  /** Creates a task, stores it and sets it moving (used by RunTask and by services). */
  launchTask(spec: Omit<NewTaskSpec, 'injectStartFailure'>): TaskRecord {
    const injectStartFailure = this.deps.faults?.roll(this.deps.faults.current.failTaskStarts) ?? false;
    const task = buildTask({ ...spec, injectStartFailure });
    spec.state.tasks.set(task.taskArn, task);
    this.lifecycle.launch(task);
    return task;
  }

  /** Schedules a reconcile of the service on a later turn of the event loop (coalesced). */
  request(service: ServiceRecord): void {
    if (this.queued.has(service)) return;
    this.queued.add(service);
    this.deps.timers.after(0, () => {
      this.queued.delete(service);
      this.reconcile(service);
    });
  }

  /** Starts a new PRIMARY deployment; the previous ones become ACTIVE and are drained as the new one comes up. */
  startDeployment(service: ServiceRecord, taskDefinitionArn: string, options: { rollbackOf?: string } = {}): DeploymentRecord {
    const now = Date.now();
    for (const deployment of service.deployments) deployment.status = 'ACTIVE';
    const id = newDeploymentId();
    const deployment: DeploymentRecord = {
      id,
      status: 'PRIMARY',
      taskDefinitionArn,
      desiredCount: service.desiredCount,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      launchType: service.launchType,
      platformVersion: service.platformVersion,
      networkConfiguration: service.networkConfiguration,
    };
    if (options.rollbackOf) deployment.rollbackOf = options.rollbackOf;
    service.deployments.unshift(deployment);
    service.taskDefinitionArn = taskDefinitionArn;
    service.steady = false;
    service.consecutiveFailures = 0;
    service.backoffUntil = 0;
    this.request(service);
    return deployment;
  }

  /** Called by the lifecycle after every task transition. */
  taskChanged(task: TaskRecord, change: TaskChange): void {
    if (!task.serviceArn) return;
    const service = this.deps.store.region(task.region).services.get(task.serviceArn);
    if (!service) return;
    if (change === 'stopRequested' && task.failed) this.countFailure(service, task);
    if (change === 'stopped') service.taskArns.delete(task.taskArn);
    this.request(service);
  }

  close(): void {
    this.queued.clear();
    this.wakeups.clear();
  }

  private countFailure(service: ServiceRecord, task: TaskRecord): void {
    const now = Date.now();
    const deployment = service.deployments.find((d) => d.id === task.deploymentId);
    if (deployment) {
      deployment.failedTasks += 1;
      deployment.updatedAt = now;
    }
    // ECS throttles task launches of a service whose tasks keep failing; the delay doubles per failure and
    // starts at 1 ms at least, so a crash loop slows down even with zero delays configured.
    service.consecutiveFailures += 1;
    const { restartBackoffMs, maxRestartBackoffMs } = this.deps.delays;
    const base = Math.max(1, restartBackoffMs);
    const backoff = Math.min(maxRestartBackoffMs, base * 2 ** Math.min(20, service.consecutiveFailures - 1));
    service.backoffUntil = now + backoff;
    if (service.consecutiveFailures === 3) this.event(service, serviceMessages.unableToStart(service.name));
    if (deployment) this.checkCircuitBreaker(service, deployment);
  }

  private checkCircuitBreaker(service: ServiceRecord, deployment: DeploymentRecord): void {
    const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
    if (!breaker.enable || deployment.status !== 'PRIMARY' || deployment.rolloutState !== 'IN_PROGRESS') return;
    if (deployment.failedTasks < circuitBreakerThreshold(service.desiredCount)) return;
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = CIRCUIT_BREAKER_REASON;
    deployment.updatedAt = Date.now();
    this.event(service, serviceMessages.deploymentFailed(service.name, deployment.id));
    // A rollback that fails itself is not rolled back again (it would loop).
    const target = service.lastCompleted;
    if (!breaker.rollback || !target || deployment.rollbackOf) return;
    service.networkConfiguration = target.networkConfiguration;
    const rollback = this.startDeployment(service, target.taskDefinitionArn, { rollbackOf: deployment.id });
    this.event(service, serviceMessages.rollingBack(service.name, rollback.id, target.taskDefinitionArn));
  }

  private reconcile(service: ServiceRecord): void {
    if (this.deps.timers.isClosed) return;
    const state = this.deps.store.region(service.region);
    if (state.services.get(service.arn) !== service) return;
    if (service.status === 'DRAINING') return this.drainDeletedService(state, service);
    if (service.status !== 'ACTIVE') return;

    this.replaceUnhealthyTasks(state, service);
    const primary = service.deployments[0];
    this.scaleDownPrimary(state, service, primary);
    this.startPrimaryTasks(state, service, primary);
    if (primary.rolloutState !== 'FAILED') this.drainOldDeployments(state, service, primary);
    this.pruneDrainedDeployments(state, service);
    this.updateRolloutState(state, service, primary);
  }

  private liveTasks(state: RegionState, service: ServiceRecord): TaskRecord[] {
    const tasks: TaskRecord[] = [];
    for (const arn of service.taskArns) {
      const task = state.tasks.get(arn);
      if (task && task.lastStatus !== 'STOPPED') tasks.push(task);
    }
    return tasks;
  }

  /** ECS replaces service tasks whose essential containers fail their health checks. */
  private replaceUnhealthyTasks(state: RegionState, service: ServiceRecord): void {
    for (const task of this.liveTasks(state, service)) {
      if (task.desiredStatus !== 'RUNNING' || task.healthStatus !== 'UNHEALTHY') continue;
      this.event(service, serviceMessages.failedHealthChecks(service.name, task.taskId));
      this.lifecycle.stop(task, 'ServiceSchedulerInitiated', 'Task failed container health checks', true);
    }
  }

  /** desiredCount was lowered: stop the surplus, tasks still starting first, then the newest. */
  private scaleDownPrimary(state: RegionState, service: ServiceRecord, primary: DeploymentRecord): void {
    const active = this.liveTasks(state, service).filter((t) => t.desiredStatus === 'RUNNING' && t.deploymentId === primary.id);
    const surplus = active.length - service.desiredCount;
    if (surplus <= 0) return;
    const victims = active
      .sort((a, b) => Number(isHealthyRunning(a)) - Number(isHealthyRunning(b)) || b.seq - a.seq)
      .slice(0, surplus);
    this.stopTasks(service, victims, primary);
  }

  private startPrimaryTasks(state: RegionState, service: ServiceRecord, primary: DeploymentRecord): void {
    if (primary.rolloutState === 'FAILED') return;
    const live = this.liveTasks(state, service);
    const primaryActive = live.filter((t) => t.desiredStatus === 'RUNNING' && t.deploymentId === primary.id).length;
    const missing = service.desiredCount - primaryActive;
    if (missing <= 0) return;
    const now = Date.now();
    if (now < service.backoffUntil) return this.wakeAt(service, service.backoffUntil - now);
    // maximumPercent bounds every task that still occupies resources; a crashed task's containers are gone.
    const occupying = live.filter((t) => t.desiredStatus === 'RUNNING' || !t.failed).length;
    const maxTotal = Math.floor((service.desiredCount * service.deploymentConfiguration.maximumPercent) / 100);
    const count = Math.min(missing, maxTotal - occupying);
    if (count <= 0) return;
    const cluster = state.cluster(service.clusterName);
    const definition = state.taskDefinition(primary.taskDefinitionArn);
    if (!cluster || !definition) return;
    const started: string[] = [];
    for (let i = 0; i < count; i++) {
      const task = this.launchTask({
        state,
        cluster,
        definition,
        group: `service:${service.name}`,
        startedBy: primary.id,
        serviceArn: service.arn,
        deploymentId: primary.id,
        launchType: service.launchType,
        platformVersion: service.platformVersion,
        networkConfiguration: primary.networkConfiguration,
        tags: this.taskTags(service, definition.tags),
      });
      service.taskArns.add(task.taskArn);
      started.push(task.taskId);
    }
    this.event(service, serviceMessages.started(service.name, started));
  }

  /** Old deployments' tasks go as far as minimumHealthyPercent allows; ones that are not healthy go at once. */
  private drainOldDeployments(state: RegionState, service: ServiceRecord, primary: DeploymentRecord): void {
    const active = this.liveTasks(state, service).filter((t) => t.desiredStatus === 'RUNNING');
    const old = active.filter((t) => t.deploymentId !== primary.id);
    if (old.length === 0) return;
    const minHealthy = Math.ceil((service.desiredCount * service.deploymentConfiguration.minimumHealthyPercent) / 100);
    let budget = active.filter(isHealthyRunning).length - minHealthy;
    const victims: TaskRecord[] = [];
    for (const task of old.sort((a, b) => Number(isHealthyRunning(a)) - Number(isHealthyRunning(b)))) {
      if (!isHealthyRunning(task)) victims.push(task);
      else if (budget > 0) {
        victims.push(task);
        budget -= 1;
      }
    }
    this.stopTasks(service, victims, primary);
  }

  private pruneDrainedDeployments(state: RegionState, service: ServiceRecord): void {
    const live = this.liveTasks(state, service);
    service.deployments = service.deployments.filter((deployment, index) => {
      if (index === 0) return true;
      const own = live.filter((t) => t.deploymentId === deployment.id);
      deployment.desiredCount = own.filter((t) => t.desiredStatus === 'RUNNING').length;
      if (own.length > 0) return true;
      deployment.status = 'INACTIVE';
      return false;
    });
  }

  private updateRolloutState(state: RegionState, service: ServiceRecord, primary: DeploymentRecord): void {
    primary.desiredCount = service.desiredCount;
    const live = this.liveTasks(state, service);
    const primaryActive = live.filter((t) => t.desiredStatus === 'RUNNING' && t.deploymentId === primary.id);
    const settled =
      service.deployments.length === 1 &&
      primaryActive.length === service.desiredCount &&
      primaryActive.every(isHealthyRunning) &&
      live.every((t) => t.desiredStatus === 'RUNNING');
    if (settled && primary.rolloutState === 'IN_PROGRESS') {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.updatedAt = Date.now();
      service.lastCompleted = { taskDefinitionArn: primary.taskDefinitionArn, networkConfiguration: primary.networkConfiguration };
      this.event(service, serviceMessages.deploymentCompleted(service.name, primary.id));
    }
    const steady = settled && primary.rolloutState === 'COMPLETED';
    if (steady && !service.steady) {
      service.consecutiveFailures = 0;
      this.event(service, serviceMessages.steadyState(service.name));
    }
    service.steady = steady;
  }

  /** DeleteService: every task is stopped; once none is left the service becomes INACTIVE. */
  private drainDeletedService(state: RegionState, service: ServiceRecord): void {
    const live = this.liveTasks(state, service);
    const primary = service.deployments[0];
    this.stopTasks(service, live.filter((t) => t.desiredStatus === 'RUNNING'), primary);
    if (live.length > 0) return;
    service.status = 'INACTIVE';
    for (const deployment of service.deployments.slice(1)) deployment.status = 'INACTIVE';
    service.deployments = service.deployments.slice(0, 1);
    state.noteServiceInactive(service.clusterName);
  }

  private stopTasks(service: ServiceRecord, tasks: TaskRecord[], primary: DeploymentRecord | undefined): void {
    const reason = `Scaling activity initiated by (deployment ${primary?.id ?? 'unknown'})`;
    const stopped = tasks.filter((task) => this.lifecycle.stop(task, 'ServiceSchedulerInitiated', reason));
    if (stopped.length > 0) this.event(service, serviceMessages.stopped(service.name, stopped.map((t) => t.taskId)));
  }

  /** Tags of a service task: propagated per `propagateTags`, plus ECS managed tags when enabled. */
  private taskTags(service: ServiceRecord, definitionTags: Tag[]): Tag[] {
    const propagated =
      service.propagateTags === 'SERVICE' ? service.tags : service.propagateTags === 'TASK_DEFINITION' ? definitionTags : [];
    const managed = service.enableECSManagedTags
      ? [
          { key: 'aws:ecs:clusterName', value: service.clusterName },
          { key: 'aws:ecs:serviceName', value: service.name },
        ]
      : [];
    return [...propagated.map((tag) => ({ ...tag })), ...managed];
  }

  private wakeAt(service: ServiceRecord, ms: number): void {
    if (this.wakeups.has(service)) return;
    const handle = this.deps.timers.after(ms, () => {
      this.wakeups.delete(service);
      this.request(service);
    });
    if (handle) this.wakeups.set(service, handle);
  }

  private event(service: ServiceRecord, message: string): void {
    addServiceEvent(service, message, this.deps.retention.eventsPerService);
  }
}
