/**
 * StartExecution, DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory,
 * DescribeStateMachineForExecution.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, toEpochSeconds, type OperationInput } from '../protocol';
import { validationException } from '../validation';
import { sfnArn } from './arns';
import { Execution } from './execution';
import { withoutExecutionData } from './history';
import { MAX_PAYLOAD_BYTES, payloadBytes } from './limits';
import { validateName } from './names';
import { decodeToken, encodeToken, pageSize } from './pagination';
import type { StepFunctionsStore } from './store';
import type { InvokeAuthorizer, LambdaInvoker } from './tasks';
import { optionalString, requireMember } from './validation';

export interface ExecutionEnvironment {
  readonly store: StepFunctionsStore;
  readonly lambda: LambdaInvoker;
  readonly authorizeInvoke?: InvokeAuthorizer;
  readonly timeScale: number;
  readonly logger: (message: string, error?: unknown) => void;
  /** Told of every execution's status changes (see `Execution`). */
  readonly onStatusChange?: (execution: Execution) => void;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

function executionInput(input: OperationInput): string {
  const text = input.input ?? '{}';
  if (typeof text !== 'string') throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input must be a JSON string');
  // The API's length constraint on `input` is checked before anything else (the value is sensitive: not echoed).
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
export function startExecution(env: ExecutionEnvironment, input: OperationInput) {
  // The request's members are checked before the state machine is looked up, as AWS orders its errors.
  const text = executionInput(input);
  const name = input.name === undefined ? randomUUID() : validateName(input.name, 'name');
  const traceHeader = optionalString(input, 'traceHeader', 256);
  const machine = env.store.requireMachine(requireMember(input, 'stateMachineArn'));
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

export function describeExecution(env: ExecutionEnvironment, input: OperationInput) {
  const execution = env.store.requireExecution(requireMember(input, 'executionArn'));
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
export function listExecutions(env: ExecutionEnvironment, input: OperationInput) {
  // AWS checks the request's constraints (enum, page size) before it looks the state machine up.
  const statusFilter = input.statusFilter;
  if (statusFilter !== undefined && !STATUSES.includes(String(statusFilter))) {
    throw validationException([{ member: 'statusFilter', value: statusFilter, constraint: `Member must satisfy enum value set: [${STATUSES.join(', ')}]` }]);
  }
  const size = pageSize(input.maxResults);
  const machine = env.store.requireMachine(requireMember(input, 'stateMachineArn'));
  const scope = { stateMachineArn: machine.arn, statusFilter: statusFilter === undefined ? undefined : String(statusFilter) };
  const after = decodeToken(optionalString(input, 'nextToken'), scope);
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
export function stopExecution(env: ExecutionEnvironment, input: OperationInput) {
  // Member constraints are checked before the execution is looked up, as AWS does.
  const error = optionalString(input, 'error', 256);
  const cause = optionalString(input, 'cause', 32_768);
  const execution = env.store.requireExecution(requireMember(input, 'executionArn'));
  execution.stop(error, cause);
  return { stopDate: toEpochSeconds(execution.stopDate ?? Date.now()) };
}

/** Pages of `maxResults` (default 100), oldest first unless `reverseOrder`; the token is the last event id given. */
export function getExecutionHistory(env: ExecutionEnvironment, input: OperationInput) {
  const size = pageSize(input.maxResults);
  const execution = env.store.requireExecution(requireMember(input, 'executionArn'));
  const reverse = input.reverseOrder === true;
  const scope = { executionArn: execution.arn, reverseOrder: reverse };
  const after = decodeToken(optionalString(input, 'nextToken'), scope);
  const includeData = input.includeExecutionData !== false;
  let events = [...execution.history.events];
  if (reverse) events.reverse();
  if (after !== undefined) events = events.filter((event) => (reverse ? event.id < after : event.id > after));
  const page = events.slice(0, size);
  return {
    events: includeData ? page : page.map(withoutExecutionData),
    ...(events.length > size ? { nextToken: encodeToken(page[page.length - 1].id, scope) } : {}),
  };
}

export function describeStateMachineForExecution(env: ExecutionEnvironment, input: OperationInput) {
  const execution = env.store.requireExecution(requireMember(input, 'executionArn'));
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
