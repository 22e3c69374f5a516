/**
 * Moves tasks through the ECS task lifecycle (Fargate/awsvpc):
 * PROVISIONING → PENDING → ACTIVATING → RUNNING, and on stop DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html).
 *
 * Each task has at most one pending timer (its next step). Every change of lastStatus, desiredStatus or
 * healthStatus bumps `version` and is announced, as ECS does with `ECS Task State Change` events.
 */
import type { ContainerRecord, HealthStatus, StopCode, TaskRecord, TaskStatus } from './model';
import { DEFAULT_ECS_DELAYS, type EcsDelays } from './options';
import type { RegionState } from './store';
import type { TimerRegistry } from './timers';

/** What happened to a task, so the scheduler can react (count failures, replace tasks, drain deployments). */
export type TaskChange = 'launched' | 'status' | 'health' | 'stopRequested' | 'stopped';

export interface LifecycleHooks {
  /** Publishes the task's state-change event (called after every version bump). */
  announce(task: TaskRecord): void;
  /** Tells the scheduler; called after `announce`. */
  changed(task: TaskRecord, change: TaskChange): void;
  /** The region the task lives in (to release its address and account for it once stopped). */
  regionOf(task: TaskRecord): RegionState;
  /** Why the task's images cannot be pulled (the stopped reason), or undefined when they can. */
  pullError?(task: TaskRecord): string | undefined;
  /**
   * What the processes of the task's containers do once started (local/task-processes): a container may exit at
   * once (its process refused to start) or never pass its health check. Containers not named run as their images say.
   */
  startProcesses?(task: TaskRecord): Promise<ProcessOutcome[]>;
}

/** What one container's process did on start, as its stand-in found. */
export interface ProcessOutcome {
  readonly container: string;
  /** The process exited with this code right after starting. */
  readonly exitCode?: number;
  /** The process runs, but the container's health check fails (e.g. Envoy never becomes ready). */
  readonly unhealthy?: boolean;
  /**
   * The process runs, and its container health check can be evaluated: ECS runs it every `interval` (scaled by
   * `healthCheckSecondMs`) and counts failures only after `startPeriod`, `retries` in a row making it UNHEALTHY.
   * Resolves to undefined when the check passes, else to what it printed.
   */
  readonly probe?: () => Promise<string | undefined>;
  /** What the process would log as the cause. */
  readonly reason: string;
}

export const ESSENTIAL_CONTAINER_EXITED = 'Essential container in task exited';

/** The status after `status` on the way to STOPPED; a task that never ran skips the steps it never reached. */
function nextStopStatus(status: TaskStatus): TaskStatus {
  switch (status) {
    case 'ACTIVATING':
    case 'RUNNING':
      return 'DEACTIVATING';
    case 'DEACTIVATING':
    case 'PENDING':
      return 'STOPPING';
    case 'PROVISIONING':
    case 'STOPPING':
      return 'DEPROVISIONING';
    default:
      return 'STOPPED';
  }
}

/** The task's health is that of its essential containers: any UNHEALTHY → UNHEALTHY; all reporting → HEALTHY. */
function aggregateHealth(containers: ContainerRecord[]): HealthStatus {
  const essential = containers.filter((container) => container.essential);
  if (essential.some((container) => container.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  const reporting = essential.filter((container) => container.hasHealthCheck || container.unhealthy);
  if (reporting.length > 0 && reporting.every((container) => container.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

export class TaskLifecycle {
  constructor(
    private readonly timers: TimerRegistry,
    private readonly delays: EcsDelays,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** Announces a new task (version 1, PROVISIONING) and sets it moving. */
  launch(task: TaskRecord): void {
    this.commit(task, 'launched');
    this.schedule(task, this.delays.provisioningMs, () => this.toPending(task));
  }

  /**
   * Sets desiredStatus STOPPED and walks the stop sequence. `failed` marks a failure (crash, failed start, failed
   * health checks) for the deployment circuit breaker. Returns false when the task was already stopping.
   */
  stop(task: TaskRecord, stopCode: StopCode, reason: string, failed = false, alsoChange?: (task: TaskRecord) => void): boolean {
    if (task.desiredStatus === 'STOPPED') return false;
    this.timers.cancel(task.timer);
    task.timer = undefined;
    alsoChange?.(task);
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = Date.now();
    task.failed = failed;
    this.commit(task, 'stopRequested');
    this.scheduleNextStopStep(task);
    return true;
  }

  /** An essential container of a running task exits with `exitCode` (a crash, as an injected fault or a `fail-` image). */
  crash(task: TaskRecord, exitCode = 1): boolean {
    return this.stop(task, 'EssentialContainerExited', ESSENTIAL_CONTAINER_EXITED, true, (t) => {
      const victim = t.containers.find((c) => c.essential && c.lastStatus === 'RUNNING');
      if (victim) Object.assign(victim, { lastStatus: 'STOPPED', exitCode });
    });
  }

  private toPending(task: TaskRecord): void {
    const now = Date.now();
    task.lastStatus = 'PENDING';
    task.eni.status = 'ATTACHED';
    task.connectivity = 'CONNECTED';
    task.connectivityAt = now;
    task.pullStartedAt = now;
    this.commit(task, 'status');
    this.schedule(task, this.delays.pendingMs, () => this.toActivating(task));
  }

  private toActivating(task: TaskRecord): void {
    // A pull that fails stops the task before any container starts (stopCode TaskFailedToStart), as ECS does.
    const pullError = this.hooks.pullError?.(task);
    if (pullError !== undefined) {
      task.timer = undefined;
      this.stop(task, 'TaskFailedToStart', pullError, true);
      return;
    }
    task.lastStatus = 'ACTIVATING';
    task.pullStoppedAt = Date.now();
    for (const container of task.containers) container.imageDigest = simulatedDigest(container.image);
    this.commit(task, 'status');
    this.schedule(task, this.delays.activatingMs, () => this.toRunning(task));
  }

  private toRunning(task: TaskRecord): void {
    task.lastStatus = 'RUNNING';
    task.startedAt = Date.now();
    for (const container of task.containers) {
      container.lastStatus = 'RUNNING';
      container.runtimeId = `${task.taskId}-${container.name}`;
    }
    this.commit(task, 'status');
    if (task.desiredStatus !== 'RUNNING') return;
    const processes = this.hooks.startProcesses;
    if (!processes) {
      this.afterStart(task);
      return;
    }
    // The processes' checks run outside the timers; their outcome is applied in a timer of the task. A task
    // stopped meanwhile is on its stop sequence (its own timer): the outcome no longer matters.
    const apply = (step: () => void) => {
      if (task.desiredStatus === 'RUNNING') this.schedule(task, 0, step);
    };
    processes(task).then(
      (outcomes) => apply(() => this.applyOutcomes(task, outcomes)),
      () => apply(() => this.afterStart(task)),
    );
  }

  private applyOutcomes(task: TaskRecord, outcomes: readonly ProcessOutcome[]): void {
    task.timer = undefined;
    if (task.desiredStatus !== 'RUNNING') return;
    for (const outcome of outcomes) {
      const container = task.containers.find((c) => c.name === outcome.container);
      if (!container) continue;
      container.reason = outcome.reason;
      if (outcome.exitCode !== undefined) Object.assign(container, { crashes: true, crashExitCode: outcome.exitCode });
      else if (outcome.unhealthy && container.hasHealthCheck) container.unhealthy = true;
      else if (outcome.probe && container.hasHealthCheck) container.probe = outcome.probe;
    }
    this.afterStart(task);
  }

  /** Once the containers run: crashing ones exit, then health checks report. */
  private afterStart(task: TaskRecord): void {
    if (task.containers.some((c) => c.crashes)) {
      this.schedule(task, this.delays.runningMs, () => this.exitCrashingContainers(task));
    } else if (task.containers.some((c) => c.probe)) {
      this.schedule(task, this.delays.runningMs, () => this.runProbes(task));
    } else if (task.containers.some((c) => c.hasHealthCheck || c.unhealthy)) {
      this.schedule(task, this.delays.runningMs, () => this.reportHealth(task));
    }
  }

  /** Containers of `fail-` images exit with code 1; an essential one takes the task down (EssentialContainerExited). */
  private exitCrashingContainers(task: TaskRecord): void {
    task.timer = undefined;
    const crashing = task.containers.filter((c) => c.crashes && c.lastStatus === 'RUNNING');
    const exit = (t: TaskRecord) => {
      for (const container of t.containers) {
        if (crashing.includes(container)) Object.assign(container, { lastStatus: 'STOPPED', exitCode: container.crashExitCode ?? 1 });
      }
    };
    if (crashing.some((c) => c.essential)) {
      this.stop(task, 'EssentialContainerExited', ESSENTIAL_CONTAINER_EXITED, true, exit);
      return;
    }
    // A non-essential container may exit without stopping the task (ECS's `essential: false`).
    exit(task);
    this.commit(task, 'status');
    if (task.containers.some((c) => c.hasHealthCheck || c.unhealthy)) {
      this.schedule(task, this.delays.runningMs, () => this.reportHealth(task));
    }
  }

  private reportHealth(task: TaskRecord): void {
    task.timer = undefined;
    for (const container of task.containers) {
      if (container.lastStatus !== 'RUNNING') continue;
      if (container.unhealthy) container.healthStatus = 'UNHEALTHY';
      else if (container.hasHealthCheck) container.healthStatus = 'HEALTHY';
    }
    task.healthStatus = aggregateHealth(task.containers);
    this.commit(task, 'health');
  }

  /**
   * One round of the health checks ECS runs in a task whose checks a process stand-in evaluates (ECS HealthCheck):
   * a pass makes the container HEALTHY and ends its start period; a failure counts only after the start period,
   * and `retries` failures in a row make it UNHEALTHY (the service scheduler then replaces the task). The checks
   * go on every `interval` while the task runs. The task's health is announced only when it changes.
   */
  private runProbes(task: TaskRecord): void {
    task.timer = undefined;
    if (task.desiredStatus !== 'RUNNING') return;
    const probing = task.containers.filter((c) => c.probe && c.lastStatus === 'RUNNING');
    void Promise.all(probing.map((c) => (c.probe as () => Promise<string | undefined>)().catch((error: unknown) => String((error as Error).message ?? error)))).then((results) => {
      // A task stopped meanwhile is on its stop sequence (its own timer): the results no longer matter.
      if (task.desiredStatus === 'RUNNING') this.schedule(task, 0, () => this.applyProbes(task, probing, results));
    });
  }

  private applyProbes(task: TaskRecord, probing: ContainerRecord[], results: ReadonlyArray<string | undefined>): void {
    task.timer = undefined;
    if (task.desiredStatus !== 'RUNNING') return;
    const scale = this.delays.healthCheckSecondMs ?? DEFAULT_ECS_DELAYS.healthCheckSecondMs ?? 125;
    const sinceStart = Date.now() - (task.startedAt ?? Date.now());
    probing.forEach((container, i) => {
      const failure = results[i];
      const timing = container.healthCheckTiming ?? { interval: 30, retries: 3, startPeriod: 0 };
      if (failure === undefined) {
        Object.assign(container, { healthStatus: 'HEALTHY', probeFailures: 0, probePassed: true, reason: undefined });
        return;
      }
      container.reason = failure;
      if (!container.probePassed && sinceStart < timing.startPeriod * scale) return;
      container.probeFailures = (container.probeFailures ?? 0) + 1;
      if (container.probeFailures >= timing.retries) container.healthStatus = 'UNHEALTHY';
    });
    for (const container of task.containers) {
      if (container.probe || container.lastStatus !== 'RUNNING') continue;
      if (container.unhealthy) container.healthStatus = 'UNHEALTHY';
      else if (container.hasHealthCheck) container.healthStatus = 'HEALTHY';
    }
    const health = aggregateHealth(task.containers);
    const interval = Math.min(...probing.map((c) => (c.healthCheckTiming?.interval ?? 30) * scale));
    this.schedule(task, Number.isFinite(interval) ? interval : 30 * scale, () => this.runProbes(task));
    if (health !== task.healthStatus) {
      task.healthStatus = health;
      this.commit(task, 'health');
    }
  }

  private scheduleNextStopStep(task: TaskRecord): void {
    this.schedule(task, this.delays.stoppingMs, () => {
      const now = Date.now();
      const next = nextStopStatus(task.lastStatus);
      task.lastStatus = next;
      if (next === 'STOPPING' || next === 'DEPROVISIONING') {
        // Containers receive SIGTERM and exit; ones that never started stop without an exit code.
        for (const container of task.containers) {
          if (container.lastStatus === 'RUNNING') Object.assign(container, { lastStatus: 'STOPPED', exitCode: 0 });
          else if (container.lastStatus === 'PENDING') container.lastStatus = 'STOPPED';
        }
        task.executionStoppedAt ??= now;
      }
      if (next === 'DEPROVISIONING') task.eni.status = 'DETACHED';
      if (next === 'STOPPED') {
        task.stoppedAt = now;
        task.eni.status = 'DELETED';
        task.timer = undefined;
        const region = this.hooks.regionOf(task);
        region.addresses.release(task.eni.privateIp);
        this.commit(task, 'stopped');
        region.noteStopped(task);
        return;
      }
      this.commit(task, 'status');
      this.scheduleNextStopStep(task);
    });
  }

  private schedule(task: TaskRecord, ms: number, step: () => void): void {
    task.timer = this.timers.after(ms, step);
  }

  private commit(task: TaskRecord, change: TaskChange): void {
    task.version += 1;
    task.updatedAt = Date.now();
    this.hooks.announce(task);
    this.hooks.changed(task, change);
  }
}

/** A stable fake digest per image, so repeated pulls of the same tag look the same. */
function simulatedDigest(image: string): string {
  let hash = 0x811c9dc5;
  const parts: string[] = [];
  for (let round = 0; round < 8; round++) {
    for (const char of `${round}:${image}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    parts.push(hash.toString(16).padStart(8, '0'));
  }
  return `sha256:${parts.join('')}`;
}
