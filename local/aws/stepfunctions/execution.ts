/**
 * One execution of a state machine: runs the interpreter, keeps the status AWS reports, and records history.
 *
 * Status transitions follow AWS: RUNNING, then exactly one of SUCCEEDED, FAILED, TIMED_OUT (the definition's
 * `TimeoutSeconds`) or ABORTED (StopExecution). Once closed, nothing changes any more: a task still running in
 * an aborted execution may finish, and its result is discarded.
 */
import type { CompiledDefinition } from './definition';
import type { EngineContext, EngineEvent, RetryOverrides, StateMachine, TaskHandlers, WaitOverrides } from './engine';
import { HistoryRecorder, type HistoryEvent } from './history';
import { dataLimitMessage, MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES, payloadBytes } from './limits';
import { buildTaskHandler, type InvokeAuthorizer, type LambdaInvoker } from './tasks';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionInit {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly region: string;
  /** The input as given to StartExecution (a JSON text). */
  readonly input: string;
  readonly traceHeader?: string;
  readonly definition: CompiledDefinition;
  readonly lambda: LambdaInvoker;
  /** Checks the state machine's role before each Lambda invocation (IAM enforcement); none: not checked. */
  readonly authorizeInvoke?: InvokeAuthorizer;
  /** Multiplies Wait state durations and Retry intervals (1: real time; 0: no waiting). */
  readonly timeScale: number;
  /** Orders executions by start (newest first in ListExecutions). */
  readonly sequence: number;
  readonly logger: (message: string, error?: unknown) => void;
  /**
   * Told of every status change: RUNNING once the execution has started, then the one closing status (also for an
   * execution restored as ABORTED), as Step Functions tells EventBridge.
   */
  readonly onStatusChange?: (execution: Execution) => void;
}

/** The cause recorded on executions that were running when the local cloud stopped without saving them closed. */
export const RESTARTED_CAUSE = 'local cloud restarted';

/** An execution as the local cloud's persistence saves it. */
export interface ExecutionSnapshot {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly region: string;
  readonly input: string;
  readonly traceHeader?: string;
  /** The definition the execution ran with (its state machine may have been updated since). */
  readonly definition: string;
  readonly sequence: number;
  /** Epoch milliseconds. */
  readonly startDate: number;
  readonly status: ExecutionStatus;
  readonly stopDate?: number;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly history: HistoryEvent[];
  /** Its closing status came while the local cloud shut down: EventBridge is told once the state is restored. */
  readonly statusUnreported?: boolean;
}

/** An ExecutionFailed's error and cause, as AWS reports them (a Fail state without `Error` has none). */
function failureOf(error: unknown, cause: unknown): { error?: string; cause?: string } {
  const name = typeof error === 'string' && error !== 'FailStateError' ? error : undefined;
  const text = typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : cause === undefined ? undefined : JSON.stringify(cause);
  return { error: name, cause: text === 'Execution failed because of a Fail state' ? undefined : text };
}

export class Execution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  readonly traceHeader?: string;
  readonly sequence: number;
  readonly startDate = Date.now();
  readonly definition: CompiledDefinition;
  readonly history: HistoryRecorder;
  status: ExecutionStatus = 'RUNNING';
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Set when the status change could not be reported (the local cloud was shutting down). */
  statusUnreported = false;
  /** Resolves when the interpreter has finished (after the status is final). */
  readonly done: Promise<void>;
  private abortRun?: () => void;

  /** With `saved`, the execution is read back from a snapshot and does not run (see {@link Execution.restore}). */
  constructor(
    private readonly init: ExecutionInit,
    saved?: ExecutionSnapshot,
  ) {
    this.arn = init.arn;
    this.name = init.name;
    this.stateMachineArn = init.stateMachineArn;
    this.input = init.input;
    this.traceHeader = init.traceHeader;
    this.sequence = init.sequence;
    this.definition = init.definition;
    this.history = new HistoryRecorder({
      states: init.definition.states,
      region: init.region,
      roleArn: init.roleArn,
      onLimit: () => this.fail('States.Runtime', `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`),
    });
    if (saved) {
      this.startDate = saved.startDate;
      this.status = saved.status;
      this.stopDate = saved.stopDate;
      this.output = saved.output;
      this.error = saved.error;
      this.cause = saved.cause;
      this.statusUnreported = saved.statusUnreported === true;
      this.history.restore(saved.history, saved.status !== 'RUNNING');
      this.done = Promise.resolve();
      return;
    }
    this.done = this.run();
  }

  /**
   * An execution read back from a snapshot; it does not run. One saved while RUNNING cannot resume (the
   * interpreter's position and the Lambda calls in flight are gone): it is closed at once as ABORTED with the cause
   * {@link RESTARTED_CAUSE}, as an execution whose worker crashed.
   */
  static restore(init: ExecutionInit, saved: ExecutionSnapshot): Execution {
    const execution = new Execution(init, saved);
    if (execution.status === 'RUNNING') execution.stop('States.Aborted', RESTARTED_CAUSE);
    return execution;
  }

  /** The execution as plain data, history included. */
  snapshot(): ExecutionSnapshot {
    return {
      arn: this.arn,
      name: this.name,
      stateMachineArn: this.stateMachineArn,
      stateMachineName: this.init.stateMachineName,
      roleArn: this.init.roleArn,
      region: this.init.region,
      input: this.input,
      ...(this.traceHeader !== undefined ? { traceHeader: this.traceHeader } : {}),
      definition: this.definition.text,
      sequence: this.sequence,
      startDate: this.startDate,
      status: this.status,
      ...(this.stopDate !== undefined ? { stopDate: this.stopDate } : {}),
      ...(this.output !== undefined ? { output: this.output } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
      ...(this.cause !== undefined ? { cause: this.cause } : {}),
      history: [...this.history.events],
      ...(this.statusUnreported ? { statusUnreported: true } : {}),
    };
  }

  /** StopExecution: ABORTED at once, with the given error and cause; the interpreter is told to stop. */
  stop(error?: string, cause?: string): void {
    if (this.status !== 'RUNNING') return;
    this.settle('ABORTED', { error, cause });
    this.history.close('ExecutionAborted', { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
    this.abortRun?.();
  }

  /** A terminal failure the interpreter does not know about (payload or history quota exceeded). */
  private fail(error: string, cause: string): void {
    if (this.status !== 'RUNNING') return;
    this.settle('FAILED', { error, cause });
    this.history.close('ExecutionFailed', { error, cause });
    this.abortRun?.();
  }

  private settle(status: Exclude<ExecutionStatus, 'RUNNING'>, result: { output?: string; error?: string; cause?: string }): void {
    this.status = status;
    this.stopDate = Date.now();
    this.output = result.output;
    this.error = result.error;
    this.cause = result.cause;
    this.notify();
  }

  private notify(): void {
    try {
      this.init.onStatusChange?.(this);
    } catch (error) {
      this.init.logger(`execution ${this.arn}: could not report its status ${this.status}`, error);
    }
  }

  /** The Lambda invoker with the execution's identity: Step Functions invokes functions with the machine's role. */
  private invoker(): LambdaInvoker {
    const { lambda, authorizeInvoke, roleArn } = this.init;
    if (!authorizeInvoke) return lambda;
    const caller = { roleArn, executionArn: this.arn };
    const invokeAsync = lambda.invokeAsync?.bind(lambda);
    return {
      invokeByArn: async (functionArn, event) => {
        authorizeInvoke(caller, functionArn);
        return lambda.invokeByArn(functionArn, event);
      },
      ...(invokeAsync
        ? {
            invokeAsync: async (functionArn: string, event: unknown) => {
              authorizeInvoke(caller, functionArn);
              return invokeAsync(functionArn, event);
            },
          }
        : {}),
    };
  }

  private overrides() {
    const { definition, timeScale } = this.init;
    const lambda = this.invoker();
    const taskResourceLocalHandlers: TaskHandlers = {};
    for (const [stateName, target] of definition.tasks) {
      const handler = buildTaskHandler(target, lambda, () => this.history.observeTask(stateName, target));
      // The handler returns the Lambda result, which is JSON (it came through the Lambda runtime's serialisation).
      taskResourceLocalHandlers[stateName] = handler as TaskHandlers[string];
    }
    if (timeScale === 1) return { taskResourceLocalHandlers };
    const waitTimeOverrides: WaitOverrides = {};
    const retryIntervalOverrides: RetryOverrides = {};
    for (const [name, { type, definition: state }] of definition.states) {
      // Only fixed durations can be scaled ahead of time; SecondsPath/Timestamp waits are skipped at scale 0 only.
      if (type === 'Wait' && typeof state.Seconds === 'number') waitTimeOverrides[name] = state.Seconds * 1000 * timeScale;
      else if (type === 'Wait' && timeScale === 0) waitTimeOverrides[name] = 0;
      if (Array.isArray(state.Retry)) {
        // Scaled retries wait IntervalSeconds × scale each time (the backoff rate no longer multiplies it).
        retryIntervalOverrides[name] = state.Retry.map((retrier: { IntervalSeconds?: number }) => (retrier.IntervalSeconds ?? 1) * 1000 * timeScale);
      }
    }
    return { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides };
  }

  private async run(): Promise<void> {
    const { init } = this;
    const context: EngineContext = {
      Execution: { Id: this.arn, Name: this.name, RoleArn: init.roleArn, StartTime: new Date(this.startDate).toISOString() },
      StateMachine: { Id: init.stateMachineArn, Name: init.stateMachineName },
    };
    try {
      const input = JSON.parse(this.input) as Parameters<StateMachine['run']>[0];
      // Recorded here, synchronously: a StopExecution right after StartExecution must find it in the history.
      this.history.started(input, this.startDate);
      this.notify();
      const execution = init.definition.engine.run(input, { overrides: this.overrides(), noThrowOnAbort: true, context });
      this.abortRun = execution.abort;
      // A StopExecution that arrived before the interpreter started.
      if (this.status !== 'RUNNING') execution.abort();
      const consumed = this.consume(execution.eventLogs);
      const outcome = await execution.result.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      await consumed;
      if (this.status === 'RUNNING') {
        // Every ending produces a closing event, so this is a defensive fallback only.
        if (outcome.ok) this.settle('SUCCEEDED', { output: JSON.stringify(outcome.value) });
        else this.settle('FAILED', { error: 'States.Runtime', cause: String(outcome.error) });
      }
    } catch (error) {
      init.logger(`execution ${this.arn} failed unexpectedly`, error);
      this.fail('States.Runtime', 'The local Step Functions failed while running the execution.');
    }
  }

  private async consume(events: AsyncGenerator<EngineEvent>): Promise<void> {
    for await (const event of events) {
      if (this.status !== 'RUNNING') continue;
      try {
        this.onEvent(event);
      } catch (error) {
        this.init.logger(`execution ${this.arn}: could not record ${event.type}`, error);
      }
    }
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'ExecutionSucceeded': {
        const output = JSON.stringify(event.output ?? null);
        const bytes = payloadBytes(output);
        if (bytes > MAX_PAYLOAD_BYTES) return this.fail('States.DataLimitExceeded', dataLimitMessage('execution output', bytes));
        this.settle('SUCCEEDED', { output });
        return this.history.close('ExecutionSucceeded', { output, outputDetails: { truncated: false } });
      }
      case 'ExecutionFailed': {
        const failure = failureOf(event.Error, event.Cause);
        this.settle('FAILED', failure);
        return this.history.close('ExecutionFailed', failure);
      }
      case 'ExecutionTimeout': {
        const failure = { error: 'States.Timeout', cause: 'The execution exceeded its TimeoutSeconds.' };
        this.settle('TIMED_OUT', failure);
        return this.history.close('ExecutionTimedOut', failure);
      }
      case 'ExecutionAborted':
        // Only this class aborts the interpreter, after it has closed the execution itself.
        return;
      case 'StateExited': {
        const bytes = payloadBytes(JSON.stringify(event.state.output ?? null));
        if (bytes > MAX_PAYLOAD_BYTES) {
          return this.fail('States.DataLimitExceeded', dataLimitMessage(`output of the state '${event.state.name}'`, bytes));
        }
        return this.history.translate(event);
      }
      default:
        return this.history.translate(event);
    }
  }
}
