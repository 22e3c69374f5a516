/**
 * The local Step Functions: the AWS JSON 1.0 API (`X-Amz-Target: AWSStepFunctions.<Operation>`, SigV4 service
 * `states`) over state machines whose executions run on aws-local-stepfunctions, with Lambda tasks on the
 * in-process Lambda runtime.
 *
 * @example
 * const sfn = new StepFunctionsService({ lambda: runtime, timeScale: 0 });
 * endpoint.register(sfn.provider);
 * await deployStateMachines(config, sfn);
 */
import type { OperationInput, RequestContext, ServiceProvider } from '../protocol';
import type { Execution } from './execution';
import * as executions from './execution-operations';
import * as machines from './state-machine-operations';
import { StepFunctionsStore } from './store';
import type { LambdaInvoker } from './tasks';

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
}

const defaultLogger = (message: string, error?: unknown) => console.error(`[stepfunctions] ${message}`, error ?? '');

export class StepFunctionsService {
  readonly provider: ServiceProvider;
  private readonly store = new StepFunctionsStore();
  private readonly env: executions.ExecutionEnvironment;

  constructor(options: StepFunctionsOptions) {
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale >= 0)) throw new RangeError('timeScale must be 0 or more');
    this.env = { store: this.store, lambda: options.lambda, timeScale, logger: options.logger ?? defaultLogger };
    const env = this.env;
    const store = this.store;
    this.provider = {
      targetPrefix: 'AWSStepFunctions',
      jsonVersion: '1.0',
      signingName: 'states',
      operations: {
        CreateStateMachine: (input: OperationInput, ctx: RequestContext) => machines.createStateMachine(store, input, ctx),
        UpdateStateMachine: (input: OperationInput) => machines.updateStateMachine(store, input),
        DescribeStateMachine: (input: OperationInput) => machines.describeStateMachine(store, input),
        ListStateMachines: (input: OperationInput, ctx: RequestContext) => machines.listStateMachines(store, input, ctx),
        DeleteStateMachine: (input: OperationInput) => machines.deleteStateMachine(store, input),
        StartExecution: (input: OperationInput) => executions.startExecution(env, input),
        DescribeExecution: (input: OperationInput) => executions.describeExecution(env, input),
        ListExecutions: (input: OperationInput) => executions.listExecutions(env, input),
        StopExecution: (input: OperationInput) => executions.stopExecution(env, input),
        GetExecutionHistory: (input: OperationInput) => executions.getExecutionHistory(env, input),
        DescribeStateMachineForExecution: (input: OperationInput) => executions.describeStateMachineForExecution(env, input),
      },
    };
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
    const running = this.store.allExecutions().filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) execution.stop('States.Aborted', 'The local cloud was shut down.');
    await Promise.allSettled(running.map((execution) => execution.done));
  }
}
