/**
 * The ASL interpreter (aws-local-stepfunctions) and the types this package derives from it.
 * Node 20 lacks `Promise.withResolvers`, which the interpreter uses: the polyfill is loaded first.
 */
import '../../polyfills';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';

export { StateMachine, ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
export type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** One entry of an execution's event log (StateEntered, MapIterationStarted, ExecutionSucceeded, ...). */
export type EngineEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type Overrides = NonNullable<RunOptions['overrides']>;
export type TaskHandlers = NonNullable<Overrides['taskResourceLocalHandlers']>;
export type WaitOverrides = NonNullable<Overrides['waitTimeOverrides']>;
export type RetryOverrides = NonNullable<Overrides['retryIntervalOverrides']>;
export type EngineContext = NonNullable<RunOptions['context']>;
