/**
 * StartExecution, DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory,
 * DescribeStateMachineForExecution.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, toEpochSeconds } from '../protocol';
import { validationException } from '../validation';
import { sfnArn } from './arns';
import { Execution } from './execution';
import { withoutExecutionData } from './history';
import { MAX_PAYLOAD_BYTES, payloadBytes } from './limits';
import { validateName } from './names';
import { decodeToken, encodeToken, pageSize } from './pagination';
import type { ExecutionInput, GetExecutionHistoryInput, ListExecutionsInput, StartExecutionInput, StopExecutionInput } from './schemas';
import type { StepFunctionsStore } from './store';
import type { InvokeAuthorizer, LambdaInvoker } from './tasks';

export interface ExecutionEnvironment {
  readonly store: StepFunctionsStore;
  readonly lambda: LambdaInvoker;
  readonly authorizeInvoke?: InvokeAuthorizer;
  readonly timeScale: number;
  readonly logger: (message: string, error?: unknown) => void;
  /** Told of every execution's status changes (see `Execution`). */
  readonly onStatusChange?: (execution: Execution) => void;
}

/** The execution's input: within 256 KiB (counted in bytes, as the 256 KB payload limit is) and JSON text. */
function executionInput(request: StartExecutionInput): string {
  const text = request.input ?? '{}';
  if (payloadBytes(text) > MAX_PAYLOAD_BYTES) {
    throw validationException([{ member: 'input', value: text, constraint: `Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`, sensitive: true }]);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
  return text;
}

/**
 * Idempotent by name, as AWS: the same name and input while that execution is open returns it again; a
 * different input, or any input once it has closed, is `ExecutionAlreadyExists` (names are unique for 90 days).
 */
export function startExecution(env: ExecutionEnvironment, request: StartExecutionInput) {
  // The request's members are checked before the state machine is looked up, as AWS orders its errors.
  const text = executionInput(request);
  const name = request.name === undefined ? randomUUID() : validateName(request.name);
  const traceHeader = request.traceHeader;
  const machine = env.store.requireMachine(request.stateMachineArn);
  if (machine.status === 'DELETING') throw new AwsServiceError('StateMachineDeleting', `State machine is being deleted: '${machine.arn}'`);
  const existing = machine.executions.get(name);
  if (existing) {
    if (existing.status === 'RUNNING' && existing.input === text) {
      return { executionArn: existing.arn, startDate: toEpochSeconds(existing.startDate) };
    }
    throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
  }
  const execution = new Execution({
    arn: sfnArn.execution(machine.region, machine.name, name),
    name,
    stateMachineArn: machine.arn,
    stateMachineName: machine.name,
    roleArn: machine.roleArn,
    region: machine.region,
    input: text,
    traceHeader,
    definition: machine.definition,
    lambda: env.lambda,
    authorizeInvoke: env.authorizeInvoke,
    timeScale: env.timeScale,
    sequence: env.store.nextSequence(),
    logger: env.logger,
    onStatusChange: env.onStatusChange,
  });
  env.store.addExecution(machine, execution);
  return { executionArn: execution.arn, startDate: toEpochSeconds(execution.startDate) };
}

export function describeExecution(env: ExecutionEnvironment, request: ExecutionInput) {
  const execution = env.store.requireExecution(request.executionArn);
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: toEpochSeconds(execution.startDate),
    ...(execution.stopDate !== undefined ? { stopDate: toEpochSeconds(execution.stopDate) } : {}),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    ...(execution.traceHeader !== undefined ? { traceHeader: execution.traceHeader } : {}),
  };
}

/** Newest first; the token is the position (start order) after which the next page begins. */
export function listExecutions(env: ExecutionEnvironment, request: ListExecutionsInput) {
  const { statusFilter } = request;
  const size = pageSize(request.maxResults);
  const machine = env.store.requireMachine(request.stateMachineArn);
  const scope = { stateMachineArn: machine.arn, statusFilter };
  const after = decodeToken(request.nextToken, scope);
  const matching = [...machine.executions.values()]
    .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
    .filter((execution) => after === undefined || execution.sequence < after)
    .sort((a, b) => b.sequence - a.sequence);
  const page = matching.slice(0, size);
  return {
    executions: page.map((execution) => ({
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: toEpochSeconds(execution.startDate),
      ...(execution.stopDate !== undefined ? { stopDate: toEpochSeconds(execution.stopDate) } : {}),
    })),
    ...(matching.length > size ? { nextToken: encodeToken(page[page.length - 1].sequence, scope) } : {}),
  };
}

/** ABORTED at once with the given error and cause; stopping a closed execution changes nothing. */
export function stopExecution(env: ExecutionEnvironment, request: StopExecutionInput) {
  const execution = env.store.requireExecution(request.executionArn);
  execution.stop(request.error, request.cause);
  return { stopDate: toEpochSeconds(execution.stopDate ?? Date.now()) };
}

/** Pages of `maxResults` (default 100), oldest first unless `reverseOrder`; the token is the last event id given. */
export function getExecutionHistory(env: ExecutionEnvironment, request: GetExecutionHistoryInput) {
  const size = pageSize(request.maxResults);
  const execution = env.store.requireExecution(request.executionArn);
  const reverse = request.reverseOrder === true;
  const scope = { executionArn: execution.arn, reverseOrder: reverse };
  const after = decodeToken(request.nextToken, scope);
  const includeData = request.includeExecutionData !== false;
  let events = [...execution.history.events];
  if (reverse) events.reverse();
  if (after !== undefined) events = events.filter((event) => (reverse ? event.id < after : event.id > after));
  const page = events.slice(0, size);
  return {
    events: includeData ? page : page.map(withoutExecutionData),
    ...(events.length > size ? { nextToken: encodeToken(page[page.length - 1].id, scope) } : {}),
  };
}

export function describeStateMachineForExecution(env: ExecutionEnvironment, request: ExecutionInput) {
  const execution = env.store.requireExecution(request.executionArn);
  const machine = env.store.findMachine(execution.stateMachineArn);
  return {
    stateMachineArn: execution.stateMachineArn,
    name: execution.stateMachineArn.split(':').pop(),
    definition: execution.definition.text,
    roleArn: machine?.roleArn,
    updateDate: toEpochSeconds(machine?.updateDate ?? machine?.creationDate ?? execution.startDate),
    ...(machine ? { loggingConfiguration: machine.loggingConfiguration, tracingConfiguration: machine.tracingConfiguration } : {}),
  };
}
