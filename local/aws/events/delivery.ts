/**
 * Asynchronous delivery of events to Lambda targets, with Lambda's asynchronous-invocation semantics.
 *
 * EventBridge invokes a Lambda target asynchronously; Lambda queues the event and, when the function fails, retries
 * twice (after about 1 minute, then 2 minutes), then sends a record to the function's on-failure destination
 * ("Asynchronous invocation", Lambda Developer Guide). Here the waits are configurable and the on-failure
 * destination is an inspectable list. Nothing is lost silently: every delivery ends invoked, in the on-failure list,
 * in the dropped-by-fault list (fault injection), or in the abandoned list (closed while waiting).
 *
 * Event faults (`faults.current.events`) are applied per delivery with the seeded `faults.roll()`, in this order:
 * drop, duplicate (delivered twice), delay (held back `delayMs`), reorder (swapped with the next delivery to the
 * same target). Each injected fault is logged so tests can tell injected behaviour from bugs.
 */
import { randomUUID } from 'node:crypto';
import type { Faults } from '../../faults/faults';

/** Invokes a function with an event; rejects when the function fails. */
export type InvokeLambda = (functionArn: string, event: unknown) => Promise<void>;

/** Where one delivery goes: the rule and target it came from, and the function to invoke. */
export interface DeliveryTarget {
  readonly ruleArn: string;
  readonly targetId: string;
  readonly functionArn: string;
}

/** The record Lambda sends to an on-failure destination ("Adding a destination", Lambda Developer Guide). */
export interface OnFailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: 200; readonly executedVersion: '$LATEST'; readonly functionError: 'Unhandled' };
  readonly responsePayload: { readonly errorType: string; readonly errorMessage: string };
}

/** The event faults of `faults.current.events`. */
export type EventFault = 'drop' | 'duplicate' | 'delay' | 'reorder';

/** One event fault injected into one delivery. */
export interface InjectedFaultRecord {
  readonly fault: EventFault;
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
}

/** A delivery that fault injection dropped, or that `close()` abandoned. */
export interface UndeliveredRecord {
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly functionArn: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly timestamp: string;
}

/** How deliveries are made; everything but `invokeLambda` has a default. */
export interface DeliveryOptions {
  readonly invokeLambda: InvokeLambda;
  readonly faults?: Faults;
  /** Waits before each retry; its length is the number of retries. Lambda's: one and two minutes. */
  readonly retryDelaysMs?: readonly number[];
  /** How long a reordered delivery waits for the next one to the same target before it goes anyway. */
  readonly reorderHoldMs?: number;
}

/** Lambda retries a failed asynchronous invocation after about 1 minute, then 2 minutes. */
export const LAMBDA_ASYNC_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

interface Job {
  readonly eventId: string;
  readonly target: DeliveryTarget;
  readonly payload: unknown;
  readonly requestId: string;
  attempts: number;
}

interface FaultPlan {
  readonly drop: boolean;
  readonly duplicate: boolean;
  /** ms to hold the delivery back, if delayed. */
  readonly delay?: number;
  readonly reorder: boolean;
}

const NO_FAULTS: FaultPlan = { drop: false, duplicate: false, reorder: false };

interface Held {
  readonly job: Job;
  readonly timer: NodeJS.Timeout;
}

/** The queue of deliveries to Lambda targets (see the module comment). */
export class LambdaDelivery {
  private readonly invokeLambda: InvokeLambda;
  private readonly faults?: Faults;
  private readonly retryDelaysMs: readonly number[];
  private readonly reorderHoldMs: number;

  /** Deliveries not yet finished (waiting, running, retrying, held). */
  private pending = 0;
  private closed = false;
  private readonly timers = new Map<NodeJS.Timeout, Job>();
  private readonly held = new Map<string, Held>();
  /** Targets whose next delivery will be swapped with a reordered one (decided when events are put). */
  private readonly reorderClaims = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private idleWaiters: Array<() => void> = [];

  private readonly failures: OnFailureRecord[] = [];
  private readonly dropped: UndeliveredRecord[] = [];
  private readonly abandoned: UndeliveredRecord[] = [];
  private readonly injected: InjectedFaultRecord[] = [];

  constructor(options: DeliveryOptions) {
    this.invokeLambda = options.invokeLambda;
    this.faults = options.faults;
    this.retryDelaysMs = options.retryDelaysMs ?? LAMBDA_ASYNC_RETRY_DELAYS_MS;
    this.reorderHoldMs = options.reorderHoldMs ?? 1_000;
  }

  /**
   * Queues one event for one target and returns at once (the caller — PutEvents — answers before delivery).
   * Event faults are decided now, with the settings in force when the event is put.
   */
  deliver(eventId: string, target: DeliveryTarget, payload: unknown): void {
    const job: Job = { eventId, target, payload, requestId: randomUUID(), attempts: 0 };
    this.pending++;
    const plan = this.rollFaults(job);
    if (plan.drop) {
      this.dropped.push(this.undelivered(job));
      this.finish(job);
      return;
    }
    this.after(0, job, () => this.start(job, plan));
    if (plan.duplicate) {
      const copy: Job = { ...job, requestId: randomUUID(), attempts: 0 };
      this.pending++;
      this.after(0, copy, () => this.dispatch(copy));
    }
  }

  /** Resolves when no delivery is pending (held reorders are released rather than waited for). */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /**
   * Stops delivering: deliveries waiting on a timer (queued, delayed, held, between retries) are abandoned and
   * listed in `abandonedOnClose()`; invocations already running are awaited.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, job] of [...this.timers]) {
      clearTimeout(timer);
      this.timers.delete(timer);
      this.abandon(job);
    }
    for (const [key, held] of [...this.held]) {
      clearTimeout(held.timer);
      this.held.delete(key);
      this.abandon(held.job);
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Lambda on-failure destination records, oldest first. */
  onFailure(): readonly OnFailureRecord[] {
    return [...this.failures];
  }

  clearOnFailure(): void {
    this.failures.length = 0;
  }

  /** Deliveries dropped by fault injection (never invoked). */
  droppedByFault(): readonly UndeliveredRecord[] {
    return [...this.dropped];
  }

  clearDroppedByFault(): void {
    this.dropped.length = 0;
  }

  /** Every event fault injected so far, in order. */
  injectedFaults(): readonly InjectedFaultRecord[] {
    return [...this.injected];
  }

  clearInjectedFaults(): void {
    this.injected.length = 0;
  }

  /** Deliveries abandoned by `close()`. */
  abandonedOnClose(): readonly UndeliveredRecord[] {
    return [...this.abandoned];
  }

  /** Rolls each event fault with the seeded PRNG, in a fixed order, and logs the ones injected. */
  private rollFaults(job: Job): FaultPlan {
    const settings = this.faults?.current.events;
    const roll = (fault: EventFault, share: number): boolean => {
      const injected = this.faults?.roll(share) ?? false;
      if (injected) this.injected.push({ fault, eventId: job.eventId, ruleArn: job.target.ruleArn, targetId: job.target.targetId });
      return injected;
    };
    if (!settings) return NO_FAULTS;
    if (roll('drop', settings.drop)) return { ...NO_FAULTS, drop: true };
    const duplicate = roll('duplicate', settings.duplicate);
    const delay = roll('delay', settings.delay);
    // The delivery after a reordered one is its swap partner: it goes first and is not reordered itself.
    const key = targetKey(job);
    const partner = this.reorderClaims.delete(key);
    const reorder = !delay && !partner && roll('reorder', settings.reorder);
    if (reorder) this.reorderClaims.add(key);
    return { drop: false, duplicate, delay: delay ? settings.delayMs : undefined, reorder };
  }

  private start(job: Job, plan: FaultPlan): void {
    if (plan.delay !== undefined) this.after(plan.delay, job, () => this.dispatch(job));
    else if (plan.reorder) this.hold(job);
    else this.dispatch(job);
  }

  /** Holds a delivery until the next one to the same target has gone (or `reorderHoldMs` passed). */
  private hold(job: Job): void {
    const key = targetKey(job);
    if (this.held.has(key)) {
      // One delivery per target is held at a time; this one counts as the next delivery.
      this.dispatch(job);
      return;
    }
    const timer = setTimeout(() => this.release(key), this.reorderHoldMs);
    timer.unref();
    this.held.set(key, { job, timer });
    this.checkIdle();
  }

  private release(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(key);
    this.reorderClaims.delete(key);
    this.attempt(held.job);
  }

  /** Starts a delivery; a delivery held for reordering to the same target goes right after it. */
  private dispatch(job: Job): void {
    this.attempt(job);
    this.release(targetKey(job));
  }

  private attempt(job: Job): void {
    job.attempts++;
    let invocation: Promise<void>;
    try {
      invocation = Promise.resolve(this.invokeLambda(job.target.functionArn, job.payload));
    } catch (error) {
      invocation = Promise.reject(error);
    }
    const settled = invocation.then(
      () => this.finish(job),
      (error: unknown) => this.attemptFailed(job, error),
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
  }

  /** Lambda's async retries: wait, retry; once the retries are used up, write the on-failure record. */
  private attemptFailed(job: Job, error: unknown): void {
    const retry = job.attempts - 1;
    if (retry < this.retryDelaysMs.length) {
      this.after(this.retryDelaysMs[retry], job, () => this.attempt(job));
      return;
    }
    this.failures.push({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: job.requestId,
        functionArn: qualifiedFunctionArn(job.target.functionArn),
        condition: 'RetriesExhausted',
        approximateInvokeCount: job.attempts,
      },
      requestPayload: job.payload,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: error instanceof Error ? error.name : 'Error',
        errorMessage: error instanceof Error ? error.message : String(error),
      },
    });
    this.finish(job);
  }

  /** Runs `fn` after `ms`, unless closed (then the delivery is abandoned). Timers do not keep the process alive. */
  private after(ms: number, job: Job, fn: () => void): void {
    if (this.closed) {
      this.abandon(job);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.set(timer, job);
  }

  private abandon(job: Job): void {
    this.abandoned.push(this.undelivered(job));
    this.finish(job);
  }

  private finish(_job: Job): void {
    this.pending--;
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    } else if (this.pending === this.held.size) {
      // Only reorder-held deliveries remain and nothing will come to swap with them: let them go.
      [...this.held.keys()].forEach((key) => this.release(key));
    }
  }

  private undelivered(job: Job): UndeliveredRecord {
    const { eventId, target, payload, attempts } = job;
    return {
      eventId,
      ruleArn: target.ruleArn,
      targetId: target.targetId,
      functionArn: target.functionArn,
      payload,
      attempts,
      timestamp: new Date().toISOString(),
    };
  }
}

function targetKey(job: Job): string {
  return `${job.target.ruleArn}|${job.target.targetId}`;
}

/** Lambda reports the invoked version in destination records: an unqualified ARN ran `$LATEST`. */
function qualifiedFunctionArn(arn: string): string {
  return arn.split(':').length === 7 ? `${arn}:$LATEST` : arn;
}
