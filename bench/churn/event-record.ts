/**
 * Per-event timing of the event path: when ECS emitted a task event, and when the handler had applied it
 * (its transaction returned, or it decided there was nothing to write).
 *
 * The ECS event's own `time` field has one-second precision (EventBridge's format), useless for latencies in
 * milliseconds: the emission is stamped with the monotonic clock in the turn of the event loop where ECS made the
 * transition and announced it.
 */
import { summarize, type Summary } from '../lib/stats';

/** What the handler did with one event, as the benchmark counts it. */
export type HandledAction = 'registered' | 'updated' | 'deregistered' | 'servers-changed' | 'ignored';

/** Actions that write the catalog: the task transitions the registration model applies. */
export const APPLIED_ACTIONS: ReadonlySet<HandledAction> = new Set(['registered', 'updated', 'deregistered']);

export interface HandledEvent {
  eventId: string;
  taskArn: string;
  /** The task's lastStatus and desiredStatus in the event. */
  lastStatus: string;
  desiredStatus: string;
  action: HandledAction;
  /** Why an event was ignored (`not-running-yet`, `already-deregistered`, `stale`, ...) or deregistered (`desired-stopped`, ...). */
  reason?: string;
  /** Monotonic ms when ECS emitted the event. */
  emittedAt: number;
  /** Monotonic ms when the handler returned. */
  doneAt: number;
  /** Invocations it took (1 unless the handler failed and Lambda retried). */
  attempts: number;
}

/** A handler failure (the invocation is retried by Lambda's async semantics). */
export interface HandlerFailure {
  eventId: string;
  error: string;
  /** True when it was the last attempt: the event went to the on-failure destination, unapplied. */
  final: boolean;
}

/**
 * Collects {@link HandledEvent}s. `now` is injectable so the bookkeeping can be tested without a clock.
 *
 * @example
 * recorder.emitted(event.id, event.detail.taskArn); // as ECS emits it
 * recorder.invoked(event.id); // each invocation
 * recorder.handled(event.id, { action: 'registered', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
 */
export class EventRecorder {
  private readonly pending = new Map<string, { taskArn: string; emittedAt: number; attempts: number }>();
  private records: HandledEvent[] = [];
  private failures: HandlerFailure[] = [];

  /**
   * @param now monotonic milliseconds
   * @param maxAttempts invocations before Lambda gives up on an async event (1 + its two retries)
   */
  constructor(
    private readonly now: () => number,
    private readonly maxAttempts = 3,
  ) {}

  /** ECS emitted an event (called in the emitting turn). */
  emitted(eventId: string, taskArn: string): void {
    this.pending.set(eventId, { taskArn, emittedAt: this.now(), attempts: 0 });
  }

  /** An invocation starts; returns false for an event that was never seen emitted (not timed). */
  invoked(eventId: string): boolean {
    const entry = this.pending.get(eventId);
    if (!entry) return false;
    entry.attempts += 1;
    return true;
  }

  /** The handler returned for `eventId`. */
  handled(eventId: string, result: { action: HandledAction; reason?: string; lastStatus: string; desiredStatus: string }): void {
    const entry = this.pending.get(eventId);
    if (!entry) throw new RangeError(`event ${eventId} was handled but never emitted`);
    this.pending.delete(eventId);
    this.records.push({ eventId, taskArn: entry.taskArn, emittedAt: entry.emittedAt, doneAt: this.now(), attempts: Math.max(1, entry.attempts), ...result });
  }

  /** The handler threw for `eventId`: Lambda retries it, or after the last attempt gives up (no longer in flight). */
  failed(eventId: string, error: unknown): void {
    const entry = this.pending.get(eventId);
    const final = entry !== undefined && entry.attempts >= this.maxAttempts;
    if (final) this.pending.delete(eventId);
    this.failures.push({ eventId, error: error instanceof Error ? error.name : String(error), final });
  }

  /** Events emitted and neither handled nor given up yet (in flight or waiting for a retry). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Returns what was recorded since the last call and starts afresh (events in flight stay pending). */
  take(): { events: HandledEvent[]; failures: HandlerFailure[] } {
    const taken = { events: this.records, failures: this.failures };
    this.records = [];
    this.failures = [];
    return taken;
  }
}

/** The figures of one phase of the event path. */
export type EventPathFigures = {
  events: number;
  /** From the first emission to the last handler return. */
  durationMs: number;
  eventsPerSecond: number;
  /** Emitted → handled, every event. */
  latencyMs: Summary;
  /** Emitted → handled, per action (only actions that occurred). */
  latencyByActionMs: { [action: string]: Summary };
  /** Events per action, and ignored events per reason. */
  actions: { [action: string]: number };
  ignoredReasons: { [reason: string]: number };
  /** Events that write the catalog: registered + updated + deregistered. */
  appliedTransitions: number;
  /** Raft writes Consul counted during the phase (committed and rolled-back transactions). */
  consulWrites: number;
  /** consulWrites ÷ appliedTransitions: 1 when every applied transition is one transaction and nothing is retried. */
  writesPerAppliedTransition: number;
  writesPerEvent: number;
  /** Guard conflicts: a transaction rolled back because another event of the task wrote first (re-read, decided again). */
  guardConflicts: number;
  retriedEvents: number;
  /** Invocations that threw (each is retried, up to Lambda's two retries). */
  handlerFailures: number;
  /** Events whose every attempt failed: never applied (they wait in the on-failure destination). */
  lostEvents: number;
};

/**
 * Summarises one phase: rates over its wall-clock span, latency distributions, and catalog writes per applied
 * transition (`consulWrites` is the Consul write counter's delta over the phase).
 */
export function summarizeEventPath(events: readonly HandledEvent[], counts: { consulWrites: number; guardConflicts: number; handlerFailures: number; lostEvents: number }): EventPathFigures {
  if (events.length === 0) throw new RangeError('no event was handled in this phase');
  let first = Infinity;
  let last = -Infinity;
  const byAction = new Map<string, number[]>();
  const ignoredReasons: { [reason: string]: number } = {};
  let applied = 0;
  let retried = 0;
  for (const event of events) {
    first = Math.min(first, event.emittedAt);
    last = Math.max(last, event.doneAt);
    const samples = byAction.get(event.action) ?? [];
    samples.push(event.doneAt - event.emittedAt);
    byAction.set(event.action, samples);
    if (APPLIED_ACTIONS.has(event.action)) applied += 1;
    if (event.action === 'ignored') ignoredReasons[event.reason ?? 'unknown'] = (ignoredReasons[event.reason ?? 'unknown'] ?? 0) + 1;
    if (event.attempts > 1) retried += 1;
  }
  const durationMs = Math.max(last - first, Number.EPSILON);
  const latencyByActionMs: { [action: string]: Summary } = {};
  const actions: { [action: string]: number } = {};
  for (const [action, samples] of byAction) {
    latencyByActionMs[action] = summarize(samples);
    actions[action] = samples.length;
  }
  return {
    events: events.length,
    durationMs,
    eventsPerSecond: events.length / (durationMs / 1000),
    latencyMs: summarize(events.map((e) => e.doneAt - e.emittedAt)),
    latencyByActionMs,
    actions,
    ignoredReasons,
    appliedTransitions: applied,
    consulWrites: counts.consulWrites,
    writesPerAppliedTransition: applied > 0 ? counts.consulWrites / applied : 0,
    writesPerEvent: counts.consulWrites / events.length,
    guardConflicts: counts.guardConflicts,
    retriedEvents: retried,
    handlerFailures: counts.handlerFailures,
    lostEvents: counts.lostEvents,
  };
}
