/** The local Step Functions. */
export { StepFunctionsProvider, type StepFunctionsOptions } from './provider';
export { deployStateMachines, localRoleArn } from './deploy';
export type { LambdaInvoker } from './tasks';
export type { HistoryEvent } from './history';
export type { Execution, ExecutionStatus } from './execution';
export { sfnArn } from './arns';
export { MAX_PAYLOAD_BYTES, MAX_HISTORY_EVENTS } from './limits';
