/**
 * The local Step Functions: the AWS JSON 1.0 API (`X-Amz-Target: AWSStepFunctions.<Operation>`, SigV4 service
 * `states`) over state machines whose executions run on aws-local-stepfunctions, with Lambda tasks on the
 * in-process Lambda runtime.
 *
 * @example
 * const sfn = new StepFunctionsProvider({ lambda: runtime, timeScale: 0 });
 * endpoint.register(sfn);
 * await deployStateMachines(config, sfn);
 */
import type { OperationHandler, ServiceProvider } from '../protocol';
import { compileDefinition, type CompiledDefinition } from './definition';
import { Execution, type ExecutionSnapshot } from './execution';
import * as executions from './execution-operations';
import * as schemas from './schemas';
import * as machines from './state-machine-operations';
import { StepFunctionsStore, type LoggingConfiguration, type StateMachineRecord } from './store';
import type { InvokeAuthorizer, LambdaInvoker } from './tasks';
import { buildExecutionStatusChangeEvent, type ExecutionEventSink } from './status-events';
import { parseInput } from './validation';

/** A state machine as the local cloud's persistence saves it (the definition as its text). */
export interface StateMachineSnapshot {
  readonly arn: string;
  readonly name: string;
  readonly region: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: number;
  readonly roleArn: string;
  readonly definition: string;
  readonly loggingConfiguration: LoggingConfiguration;
  readonly tracingConfiguration: { readonly enabled: boolean };
  readonly status: 'ACTIVE' | 'DELETING';
  readonly updateDate?: number;
  readonly revisionId?: string;
}

/** State machines and executions (closed ones, and running ones as far as they got). */
export interface StepFunctionsSnapshot {
  readonly stateMachines: StateMachineSnapshot[];
  /** Every execution, including those of deleted state machines (AWS keeps closed executions 90 days). */
  readonly executions: ExecutionSnapshot[];
}

export interface StepFunctionsOptions {
  /** Runs the Lambda tasks (the local `LambdaRuntime` fits). */
  readonly lambda: LambdaInvoker;
  /**
   * Multiplies the durations of Wait states (`Seconds`) and Retry intervals: 1 (default) waits for real, 0.01
   * makes a 10-second wait last 100 ms, 0 skips every wait (including `SecondsPath`/`Timestamp` ones).
   */
  readonly timeScale?: number;
  /** Where unexpected failures are reported. */
  readonly logger?: (message: string, error?: unknown) => void;
  /** IAM: checks the state machine's role before each Lambda invocation of a Task state. */
  readonly authorizeInvoke?: InvokeAuthorizer;
  /**
   * Receives a `Step Functions Execution Status Change` event for every status change of an execution, as Step
   * Functions puts them on the default EventBridge bus. The executions `close()` stops are reported when the saved
   * state is restored (EventBridge is shutting down with the local cloud), as are those saved while RUNNING, which
   * come back ABORTED.
   */
  readonly onEvent?: ExecutionEventSink;
}

const defaultLogger = (message: string, error?: unknown) => console.error(`[stepfunctions] ${message}`, error ?? '');

export class StepFunctionsProvider implements ServiceProvider {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly jsonVersion = '1.0' as const;
  readonly signingName = 'states';
  /**
   * Operation name → handler: the input parsed with the operation's schema, then the operation
   * (`state-machine-operations.ts`, `execution-operations.ts`).
   */
  readonly operations: Record<string, OperationHandler> = {
    CreateStateMachine: (input, ctx) => this.changed(machines.createStateMachine(this.store, parseInput(schemas.createStateMachineInput, input), ctx)),
    UpdateStateMachine: (input) => this.changed(machines.updateStateMachine(this.store, parseInput(schemas.updateStateMachineInput, input))),
    DescribeStateMachine: (input) => machines.describeStateMachine(this.store, parseInput(schemas.stateMachineInput, input)),
    ListStateMachines: (input, ctx) => machines.listStateMachines(this.store, parseInput(schemas.listStateMachinesInput, input), ctx),
    DeleteStateMachine: (input) => this.changed(machines.deleteStateMachine(this.store, parseInput(schemas.stateMachineInput, input))),
    StartExecution: (input) => this.started(executions.startExecution(this.env, parseInput(schemas.startExecutionInput, input))),
    DescribeExecution: (input) => executions.describeExecution(this.env, parseInput(schemas.executionInput, input)),
    ListExecutions: (input) => executions.listExecutions(this.env, parseInput(schemas.listExecutionsInput, input)),
    StopExecution: (input) => this.changed(executions.stopExecution(this.env, parseInput(schemas.stopExecutionInput, input))),
    GetExecutionHistory: (input) => executions.getExecutionHistory(this.env, parseInput(schemas.getExecutionHistoryInput, input)),
    DescribeStateMachineForExecution: (input) => executions.describeStateMachineForExecution(this.env, parseInput(schemas.executionInput, input)),
  };
  private readonly store = new StepFunctionsStore();
  private readonly env: executions.ExecutionEnvironment;
  private changes = 0;
  private closing = false;

  constructor(options: StepFunctionsOptions) {
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale >= 0)) throw new RangeError('timeScale must be 0 or more');
    const onEvent = options.onEvent;
    const onStatusChange = onEvent
      ? (execution: Execution) => {
          if (this.closing) execution.statusUnreported = true;
          else onEvent(buildExecutionStatusChangeEvent(execution, this.regionOf(execution)));
        }
      : undefined;
    this.env = { store: this.store, lambda: options.lambda, authorizeInvoke: options.authorizeInvoke, timeScale, logger: options.logger ?? defaultLogger, onStatusChange };
  }

  /**
   * Grows with every change of a state machine and whenever an execution starts, is stopped or closes: the local
   * cloud's persistence polls it to know when to save.
   */
  get revision(): number {
    return this.changes;
  }

  /** State machines and executions (with their histories) as plain data. */
  exportSnapshot(): StepFunctionsSnapshot {
    return {
      stateMachines: this.store.allMachines().map(({ executions: _executions, definition, ...machine }) => ({ ...machine, definition: definition.text })),
      executions: this.store.allExecutions().map((execution) => execution.snapshot()),
    };
  }

  /**
   * Puts back saved state machines and executions; call before anything is deployed or started. Executions saved
   * while RUNNING are closed as ABORTED (see `Execution.restore`); a state machine saved while DELETING was waiting
   * for those, so it is gone (its executions stay reachable by ARN).
   */
  importSnapshot(snapshot: StepFunctionsSnapshot): void {
    const compiled = new Map<string, CompiledDefinition>();
    const compile = (text: string): CompiledDefinition => {
      let definition = compiled.get(text);
      if (!definition) {
        definition = compileDefinition(text);
        compiled.set(text, definition);
      }
      return definition;
    };
    for (const saved of snapshot.stateMachines) {
      if (saved.status === 'DELETING') continue;
      const machine: StateMachineRecord = { ...saved, definition: compile(saved.definition), executions: new Map() };
      this.store.addMachine(machine);
    }
    for (const saved of [...snapshot.executions].sort((a, b) => a.sequence - b.sequence)) {
      const init = {
        arn: saved.arn,
        name: saved.name,
        stateMachineArn: saved.stateMachineArn,
        stateMachineName: saved.stateMachineName,
        roleArn: saved.roleArn,
        region: saved.region,
        input: saved.input,
        traceHeader: saved.traceHeader,
        definition: compile(saved.definition),
        lambda: this.env.lambda,
        authorizeInvoke: this.env.authorizeInvoke,
        timeScale: this.env.timeScale,
        sequence: saved.sequence,
        logger: this.env.logger,
        onStatusChange: this.env.onStatusChange,
      };
      const execution = Execution.restore(init, saved);
      this.store.restoreExecution(execution);
      if (execution.statusUnreported) {
        execution.statusUnreported = false;
        this.env.onStatusChange?.(execution);
      }
    }
    this.changes += 1;
  }

  /** Counts a write (see {@link StepFunctionsProvider.revision}) and passes its result through. */
  private changed<T>(result: T): T {
    this.changes += 1;
    return result;
  }

  /** Counts a started execution now and again when it closes. */
  private started(result: { executionArn: string; startDate: number }): { executionArn: string; startDate: number } {
    this.changes += 1;
    void this.store.requireExecution(result.executionArn).done.then(() => {
      this.changes += 1;
    });
    return result;
  }

  /** The region of an execution (from its ARN: `arn:aws:states:<region>:...`). */
  private regionOf(execution: Execution): string {
    return execution.arn.split(':')[3];
  }

  /** An execution by ARN (for tests and the composition), or undefined. */
  execution(arn: string): Execution | undefined {
    return this.store.allExecutions().find((execution) => execution.arn === arn);
  }

  /** Resolves when every execution started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled(this.store.allExecutions().map((execution) => execution.done));
  }

  /** Aborts the running executions (their pending Wait timers end with them) and waits for them to close. */
  async close(): Promise<void> {
    this.closing = true;
    const running = this.store.allExecutions().filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) execution.stop('States.Aborted', 'The local cloud was shut down.');
    await Promise.allSettled(running.map((execution) => execution.done));
  }
}
