/**
 * How long the catalog is wrong after a task changes: the event path's window is measured per task; a polling
 * reconciler's (HashiCorp consul-ecs' controller polls ECS on a fixed interval, 10 s here) is modelled.
 *
 * The model: a poller with period P whose phase is unrelated to when tasks change sees a change at the first
 * poll after it, a wait uniform over [0, P); the repair lands when that poll's reconcile finishes, D later
 * (D measured: the reconcile's wall time on the same mesh). So the window is U[0, P) + D, whatever the
 * change times are. D is an upper bound: a cluster's repair is written when its own part ends.
 */
import { summarize, type Summary } from '../lib/stats';
import type { HandledEvent } from './event-record';

/** Percentiles of the polling window U[0, P) + D, in closed form. */
export function pollingWindow(periodMs: number, reconcileMs: number): Summary {
  if (!(periodMs > 0)) throw new RangeError(`period must be > 0 ms, got ${periodMs}`);
  if (!(reconcileMs >= 0)) throw new RangeError(`reconcile duration must be >= 0 ms, got ${reconcileMs}`);
  const at = (p: number) => (p / 100) * periodMs + reconcileMs;
  // `count` 0: a model, not samples.
  return { count: 0, min: reconcileMs, max: periodMs + reconcileMs, mean: at(50), p50: at(50), p90: at(90), p99: at(99) };
}

/** Per-task windows of the event path, from its handled events. */
export interface EventPathWindows {
  /** desiredStatus STOPPED emitted → the task's entries deleted (the first committed deregistration). */
  stopToDeregisteredMs: number[];
  /** RUNNING emitted → the task registered (the first committed registration). */
  runningToRegisteredMs: number[];
}

/**
 * The windows per task: from the first event showing the change (a task stopping: desiredStatus STOPPED; a new
 * task: lastStatus RUNNING) to the first handler return that wrote it. Whichever event of the task wrote it counts
 * (when two events of a task race, the later one may be the one that commits).
 */
export function eventPathWindows(events: readonly HandledEvent[]): EventPathWindows {
  const firstStopping = new Map<string, number>();
  const firstRunning = new Map<string, number>();
  const deregistered = new Map<string, number>();
  const registered = new Map<string, number>();
  const earliest = (map: Map<string, number>, key: string, value: number) => map.set(key, Math.min(map.get(key) ?? Infinity, value));
  for (const event of events) {
    if (event.desiredStatus === 'STOPPED') earliest(firstStopping, event.taskArn, event.emittedAt);
    else if (event.lastStatus === 'RUNNING') earliest(firstRunning, event.taskArn, event.emittedAt);
    if (event.action === 'deregistered') earliest(deregistered, event.taskArn, event.doneAt);
    if (event.action === 'registered') earliest(registered, event.taskArn, event.doneAt);
  }
  const windows = (from: Map<string, number>, to: Map<string, number>) =>
    [...to].flatMap(([taskArn, done]) => (from.has(taskArn) ? [done - (from.get(taskArn) as number)] : []));
  return { stopToDeregisteredMs: windows(firstStopping, deregistered), runningToRegisteredMs: windows(firstRunning, registered) };
}

/** Event path vs polling for one kind of change. */
export type WindowComparison = {
  eventPathMs: Summary;
  pollingMs: Summary;
  /** Polling p50 ÷ event path p50. */
  p50Ratio: number;
};

export function compareWindows(eventPathSamples: readonly number[], polling: Summary): WindowComparison {
  const eventPathMs = summarize(eventPathSamples);
  return { eventPathMs, pollingMs: polling, p50Ratio: eventPathMs.p50 > 0 ? polling.p50 / eventPathMs.p50 : Infinity };
}
