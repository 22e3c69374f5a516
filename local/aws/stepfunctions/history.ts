/**
 * An execution's history in the shape of GetExecutionHistory's `HistoryEvent`s, built from the interpreter's
 * event log and from the task attempts the local task handlers observe.
 *
 * What AWS records, and so what this produces: `ExecutionStarted`; per state `<Type>StateEntered` and
 * `<Type>StateExited` (`stateEnteredEventDetails {name, input}`, `stateExitedEventDetails {name, output}`); for a
 * Lambda task `LambdaFunctionScheduled`/`Started`/`Succeeded`/`Failed`/`TimedOut` (a function ARN as resource) or
 * `TaskScheduled`/`Started`/`Succeeded`/`Failed`/`TimedOut` (`lambda:invoke`), once per attempt, so a `Retry`
 * shows as another scheduled task within the same state; `MapStateStarted {length}`, `MapIterationStarted/
 * Succeeded/Failed {name, index}`, `MapStateSucceeded/Failed`; `ParallelStateStarted`, `ParallelStateSucceeded/
 * Failed`; and the closing `ExecutionSucceeded/Failed/Aborted/TimedOut`.
 *
 * Simplification: `previousEventId` is the id of the event recorded just before (AWS links an event to the one
 * that caused it, which differs only inside concurrent Map iterations and Parallel branches).
 */
import { toEpochSeconds } from '../protocol';
import type { EngineEvent } from './engine';
import { MAX_HISTORY_EVENTS } from './limits';
import { readReferencePath } from './paths';
import type { TaskObserver, TaskTarget } from './tasks';

export interface HistoryEvent {
  readonly timestamp: number;
  readonly type: string;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

/** A state of the definition, found by name (ASL state names are unique in the whole definition). */
export interface StateInfo {
  readonly type: string;
  readonly definition: Readonly<Record<string, unknown>>;
}

type Details = Record<string, unknown>;

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const json = (value: unknown) => JSON.stringify(value ?? null);
const notTruncated = { truncated: false };

/** `TaskStateEntered` → `stateEnteredEventDetails`; `LambdaFunctionFailed` → `lambdaFunctionFailedEventDetails`. */
function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${lowerFirst(type)}EventDetails`;
}

export interface HistoryOptions {
  readonly states: ReadonlyMap<string, StateInfo>;
  readonly region: string;
  /** The state machine's role, reported in `ExecutionStarted`. */
  readonly roleArn: string;
  /**
   * Called once when the history is one event short of the 25,000 AWS allows; the execution then fails (the
   * last slot is left for its `ExecutionFailed`).
   */
  readonly onLimit: () => void;
  readonly limit?: number;
}

interface OpenAttempt {
  readonly stateName: string;
  readonly target: TaskTarget;
  closed: boolean;
}

export class HistoryRecorder {
  private readonly recorded: HistoryEvent[] = [];
  private readonly attempts: OpenAttempt[] = [];
  /** Map/Parallel states whose last run failed: a Catch makes them exit, but not "succeed". */
  private readonly failedParents = new Set<string>();
  private isClosed = false;

  private readonly states: ReadonlyMap<string, StateInfo>;
  private readonly region: string;
  private readonly roleArn: string;
  private readonly onLimit: () => void;
  private readonly limit: number;

  constructor(options: HistoryOptions) {
    this.states = options.states;
    this.region = options.region;
    this.roleArn = options.roleArn;
    this.onLimit = options.onLimit;
    this.limit = options.limit ?? MAX_HISTORY_EVENTS;
  }

  get events(): readonly HistoryEvent[] {
    return this.recorded;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Puts back the events of a saved execution (before anything else is recorded); `closed` as it was saved, so an
   * execution saved while RUNNING can still get its closing event.
   */
  restore(events: readonly HistoryEvent[], closed: boolean): void {
    this.recorded.length = 0;
    for (const event of events) this.recorded.push({ ...event });
    this.isClosed = closed;
  }

  /** Appends an event unless the history is closed. */
  append(type: string, details?: Details, timestamp = Date.now()): void {
    if (this.isClosed) return;
    const id = this.recorded.length + 1;
    const event: HistoryEvent = { timestamp: toEpochSeconds(timestamp), type, id, previousEventId: id - 1, ...(details ? { [detailsKey(type)]: details } : {}) };
    this.recorded.push(event);
    if (this.recorded.length === this.limit - 1) this.onLimit();
  }

  /** The first event, recorded when the execution starts (before the interpreter's own log is read). */
  started(input: unknown, timestamp: number): void {
    this.append('ExecutionStarted', { input: json(input), inputDetails: notTruncated, roleArn: this.roleArn }, timestamp);
  }

  /** Appends the closing event; nothing is recorded after it (late task results of an aborted run). */
  close(type: 'ExecutionSucceeded' | 'ExecutionFailed' | 'ExecutionAborted' | 'ExecutionTimedOut', details: Details): void {
    this.append(type, details);
    this.isClosed = true;
  }

  /** Records what one task attempt does (see `tasks.ts`). */
  observeTask(stateName: string, target: TaskTarget): TaskObserver {
    const attempt: OpenAttempt = { stateName, target, closed: false };
    this.attempts.push(attempt);
    const timeout = this.states.get(stateName)?.definition.TimeoutSeconds;
    const end = () => {
      attempt.closed = true;
      this.attempts.splice(this.attempts.indexOf(attempt), 1);
    };
    return {
      scheduled: (input) => {
        if (target.kind === 'lambda') {
          this.append('LambdaFunctionScheduled', { resource: target.resource, input: json(input), inputDetails: notTruncated, ...(typeof timeout === 'number' ? { timeoutInSeconds: timeout } : {}) });
          this.append('LambdaFunctionStarted');
        } else {
          this.append('TaskScheduled', { resourceType: 'lambda', resource: 'invoke', region: this.region, parameters: json(input), ...(typeof timeout === 'number' ? { timeoutInSeconds: timeout } : {}) });
          this.append('TaskStarted', { resourceType: 'lambda', resource: 'invoke' });
        }
      },
      succeeded: (output) => {
        if (attempt.closed) return;
        end();
        if (target.kind === 'lambda') this.append('LambdaFunctionSucceeded', { output: json(output), outputDetails: notTruncated });
        else this.append('TaskSucceeded', { resourceType: 'lambda', resource: 'invoke', output: json(output), outputDetails: notTruncated });
      },
      failed: (error, cause) => {
        if (attempt.closed) return;
        end();
        if (target.kind === 'lambda') this.append('LambdaFunctionFailed', { error, cause });
        else this.append('TaskFailed', { resourceType: 'lambda', resource: 'invoke', error, cause });
      },
    };
  }

  /** Translates one interpreter event (the closing ones are recorded by the execution, see `close`). */
  translate(event: EngineEvent): void {
    switch (event.type) {
      case 'StateEntered': {
        const { name, type, input } = event.state;
        this.append(`${type}StateEntered`, { name, input: json(input), inputDetails: notTruncated }, event.timestamp);
        if (type === 'Map') this.append('MapStateStarted', { length: this.mapLength(name, input) }, event.timestamp);
        if (type === 'Parallel') this.append('ParallelStateStarted', undefined, event.timestamp);
        return;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        const caught = this.failedParents.delete(name);
        if (type === 'Map' && !caught) this.append('MapStateSucceeded', undefined, event.timestamp);
        if (type === 'Parallel' && !caught) this.append('ParallelStateSucceeded', undefined, event.timestamp);
        return this.append(`${type}StateExited`, { name, output: json(output), outputDetails: notTruncated }, event.timestamp);
      }
      case 'StateFailed': {
        const { name, type } = event.state;
        if (type === 'Task' && event.Error === 'States.Timeout') return this.taskTimedOut(name, String(event.Cause ?? ''));
        if (type !== 'Map' && type !== 'Parallel') return;
        this.failedParents.add(name);
        return this.append(`${type}StateFailed`, undefined, event.timestamp);
      }
      case 'StateRetried':
        this.failedParents.delete(event.state.name);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return this.append(event.type, { name: event.parentState.name, index: event.index }, event.timestamp);
      default:
        // StateCaught (the state then exits with
        // the catcher's output, which the interpreter reports as StateExited), ParallelBranch* (no AWS
        // counterpart), and the execution's opening and closing events (recorded by the execution itself).
        return;
    }
  }

  /** The interpreter timed the task out (`TimeoutSeconds`): the oldest open attempt of that state timed out. */
  private taskTimedOut(stateName: string, cause: string): void {
    const attempt = this.attempts.find((a) => a.stateName === stateName && !a.closed);
    if (!attempt) return;
    attempt.closed = true;
    this.attempts.splice(this.attempts.indexOf(attempt), 1);
    const details = { error: 'States.Timeout', cause };
    if (attempt.target.kind === 'lambda') this.append('LambdaFunctionTimedOut', details);
    else this.append('TaskTimedOut', { resourceType: 'lambda', resource: 'invoke', ...details });
  }

  /** The number of items a Map state iterates (its `ItemsPath` applied after its `InputPath`), when known. */
  private mapLength(stateName: string, input: unknown): number | undefined {
    const state = this.states.get(stateName)?.definition;
    if (!state) return undefined;
    if (Array.isArray(state.Items)) return state.Items.length;
    const effective = typeof state.InputPath === 'string' ? readReferencePath(input, state.InputPath) : input;
    const items = typeof state.ItemsPath === 'string' ? readReferencePath(effective, state.ItemsPath) : effective;
    return Array.isArray(items) ? items.length : undefined;
  }
}

/** GetExecutionHistory without `includeExecutionData`: the same events without inputs, outputs and parameters. */
export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const { input: _input, output: _output, parameters: _parameters, ...rest } = value as Details;
    copy[key] = rest;
  }
  return copy as HistoryEvent;
}
