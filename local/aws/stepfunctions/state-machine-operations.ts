/**
 * CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines, DeleteStateMachine.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, toEpochSeconds, type OperationInput, type RequestContext } from '../protocol';
import { validationException } from '../validation';
import { parseStateMachineArn, sfnArn } from './arns';
import { compileDefinition } from './definition';
import { validateName } from './names';
import { decodeToken, encodeToken, pageSize } from './pagination';
import type { LoggingConfiguration, StateMachineRecord, StepFunctionsStore } from './store';
import { optionalString, requireMember, validateRoleArn } from './validation';

const DEFAULT_LOGGING: LoggingConfiguration = { level: 'OFF', includeExecutionData: false };

function typeOf(input: OperationInput): 'STANDARD' | 'EXPRESS' {
  const type = input.type ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') {
    throw validationException([{ member: 'type', value: type, constraint: 'Member must satisfy enum value set: [STANDARD, EXPRESS]' }]);
  }
  return type;
}

function loggingOf(value: unknown): LoggingConfiguration | undefined {
  if (value === undefined || value === null) return undefined;
  const config = value as Partial<LoggingConfiguration>;
  return { level: config.level ?? 'OFF', includeExecutionData: config.includeExecutionData ?? false, ...(config.destinations ? { destinations: config.destinations } : {}) };
}

function tracingOf(value: unknown): { enabled: boolean } | undefined {
  if (value === undefined || value === null) return undefined;
  return { enabled: (value as { enabled?: boolean }).enabled === true };
}

/**
 * CreateStateMachine is idempotent: the same name with the same definition, role and type returns the existing
 * state machine; anything different is `StateMachineAlreadyExists`.
 */
export function createStateMachine(store: StepFunctionsStore, input: OperationInput, ctx: RequestContext) {
  const name = validateName(requireMember(input, 'name'), 'name');
  const text = requireMember(input, 'definition');
  const roleArn = validateRoleArn(requireMember(input, 'roleArn'));
  const type = typeOf(input);
  const definition = compileDefinition(text);
  const arn = sfnArn.stateMachine(ctx.region, name);
  const existing = store.findMachine(arn);
  if (existing) {
    if (existing.definition.text === text && existing.roleArn === roleArn && existing.type === type && existing.status === 'ACTIVE') {
      return { stateMachineArn: arn, creationDate: toEpochSeconds(existing.creationDate) };
    }
    throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
  }
  const machine: StateMachineRecord = {
    arn,
    name,
    region: ctx.region,
    type,
    creationDate: Date.now(),
    roleArn,
    definition,
    loggingConfiguration: loggingOf(input.loggingConfiguration) ?? DEFAULT_LOGGING,
    tracingConfiguration: tracingOf(input.tracingConfiguration) ?? { enabled: false },
    status: 'ACTIVE',
    executions: new Map(),
  };
  store.addMachine(machine);
  return { stateMachineArn: arn, creationDate: toEpochSeconds(machine.creationDate) };
}

/** Running executions keep the definition they started with; new ones use the update. */
export function updateStateMachine(store: StepFunctionsStore, input: OperationInput) {
  const machine = store.requireMachine(requireMember(input, 'stateMachineArn'));
  const { definition, roleArn, loggingConfiguration, tracingConfiguration } = input;
  if (definition === undefined && roleArn === undefined && loggingConfiguration === undefined && tracingConfiguration === undefined) {
    throw new AwsServiceError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
  }
  const compiled = definition === undefined ? undefined : compileDefinition(definition);
  const role = roleArn === undefined ? undefined : validateRoleArn(roleArn);
  if (compiled) machine.definition = compiled;
  if (role) machine.roleArn = role;
  machine.loggingConfiguration = loggingOf(loggingConfiguration) ?? machine.loggingConfiguration;
  machine.tracingConfiguration = tracingOf(tracingConfiguration) ?? machine.tracingConfiguration;
  machine.updateDate = Date.now();
  machine.revisionId = randomUUID();
  return { updateDate: toEpochSeconds(machine.updateDate), revisionId: machine.revisionId };
}

export function describeStateMachine(store: StepFunctionsStore, input: OperationInput) {
  const machine = store.requireMachine(requireMember(input, 'stateMachineArn'));
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: machine.status,
    definition: machine.definition.text,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: toEpochSeconds(machine.creationDate),
    loggingConfiguration: machine.loggingConfiguration,
    tracingConfiguration: machine.tracingConfiguration,
    ...(machine.revisionId ? { revisionId: machine.revisionId } : {}),
  };
}

export function listStateMachines(store: StepFunctionsStore, input: OperationInput, ctx: RequestContext) {
  const size = pageSize(input.maxResults);
  const start = decodeToken(optionalString(input, 'nextToken')) ?? 0;
  const machines = store.machinesIn(ctx.region).sort((a, b) => a.creationDate - b.creationDate || a.name.localeCompare(b.name));
  const page = machines.slice(start, start + size);
  return {
    stateMachines: page.map((machine) => ({
      stateMachineArn: machine.arn,
      name: machine.name,
      type: machine.type,
      creationDate: toEpochSeconds(machine.creationDate),
    })),
    ...(start + size < machines.length ? { nextToken: encodeToken(start + size) } : {}),
  };
}

/**
 * The state machine goes to DELETING and disappears once its running executions have ended (they are not
 * stopped); no new execution can start meanwhile.
 */
export function deleteStateMachine(store: StepFunctionsStore, input: OperationInput) {
  const arn = requireMember(input, 'stateMachineArn');
  parseStateMachineArn(arn);
  const machine = store.findMachine(String(arn));
  // DeleteStateMachine's errors are only InvalidArn and ValidationException: deleting twice succeeds.
  if (!machine) return {};
  machine.status = 'DELETING';
  const running = [...machine.executions.values()].filter((execution) => execution.status === 'RUNNING');
  if (running.length === 0) store.removeMachine(machine.arn);
  else void Promise.allSettled(running.map((execution) => execution.done)).then(() => store.removeMachine(machine.arn));
  return {};
}
