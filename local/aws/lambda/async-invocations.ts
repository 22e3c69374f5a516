/**
 * Asynchronous (`Event`) invocations: Lambda queues the event, answers at once, and runs the function in the
 * background. A failed attempt is retried — by default twice, about one and then two minutes later — unless
 * the event has grown older than the function's `maximumEventAge`; then Lambda sends the on-failure record to
 * the function's destination. Here the records are kept (`failures()`) and handed to a callback, so no failed
 * event disappears silently. ("Asynchronous invocation", Lambda Developer Guide.)
 */
import { randomUUID } from 'node:crypto';
import { asError } from './errors';

/** Lambda retries a failed asynchronous invocation twice, about one and then two minutes later. */
export const DEFAULT_ASYNC_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/** Events older than this (default 6 hours) are no longer retried. */
const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;

/** The record Lambda sends to an on-failure destination (Lambda Developer Guide, "Adding a destination"). */
export interface AsyncFailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: 200; readonly executedVersion: '$LATEST'; readonly functionError: 'Unhandled' };
  readonly responsePayload: { readonly errorType: string; readonly errorMessage: string };
}

/** The function as the queue needs it. */
export interface AsyncTarget {
  readonly name: string;
  readonly arn: string;
  /** 0–2, default 2. */
  readonly maximumRetryAttempts?: number;
  /** Seconds, default 21,600. */
  readonly maximumEventAge?: number;
}

export interface AsyncInvocationOptions {
  readonly retryDelaysMs?: readonly number[];
  readonly onFailure?: (record: AsyncFailureRecord) => void;
  /** Names and messages only, never payloads. */
  readonly logger?: (message: string) => void;
}

interface Job {
  readonly target: AsyncTarget;
  readonly payload: string;
  readonly requestId: string;
  readonly queuedAt: number;
  attempts: number;
}

export class AsyncInvocations {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly records: AsyncFailureRecord[] = [];
  private closed = false;

  /** @param invokeOnce one synchronous attempt (the runtime's own invocation). */
  constructor(
    private readonly invokeOnce: (target: AsyncTarget, payload: string) => Promise<unknown>,
    private readonly options: AsyncInvocationOptions = {},
  ) {}

  /** Queues the event; returns its request id. */
  enqueue(target: AsyncTarget, payload: string): string {
    const job: Job = { target, payload, requestId: randomUUID(), queuedAt: Date.now(), attempts: 0 };
    this.attempt(job);
    return job.requestId;
  }

  /** On-failure records, oldest first. */
  failures(): AsyncFailureRecord[] {
    return [...this.records];
  }

  /** Resolves when nothing runs or waits for a retry. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.timers.size > 0) {
      await Promise.allSettled([...this.running]);
      if (this.running.size === 0 && this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Cancels pending retries and waits for the attempts in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private attempt(job: Job): void {
    job.attempts++;
    const run = this.invokeOnce(job.target, job.payload).then(
      () => undefined,
      (error: unknown) => this.failed(job, asError(error)),
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private failed(job: Job, error: Error): void {
    const { target } = job;
    this.options.logger?.(`asynchronous invocation ${job.requestId} of ${target.name} failed (attempt ${job.attempts}): ${error.name}: ${error.message}`);
    const delays = this.options.retryDelaysMs ?? DEFAULT_ASYNC_RETRY_DELAYS_MS;
    const retries = Math.min(target.maximumRetryAttempts ?? 2, delays.length);
    if (job.attempts > retries || this.closed) return this.record(job, error, 'RetriesExhausted');
    const delay = delays[job.attempts - 1];
    const maxAgeMs = (target.maximumEventAge ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
    if (Date.now() + delay - job.queuedAt > maxAgeMs) return this.record(job, error, 'EventAgeExceeded');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.attempt(job);
    }, delay);
    this.timers.add(timer);
  }

  private record(job: Job, error: Error, condition: AsyncFailureRecord['requestContext']['condition']): void {
    const record: AsyncFailureRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: job.requestId, functionArn: `${job.target.arn}:$LATEST`, condition, approximateInvokeCount: job.attempts },
      requestPayload: JSON.parse(job.payload) as unknown,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: error.name, errorMessage: error.message },
    };
    this.records.push(record);
    this.options.onFailure?.(record);
  }
}
