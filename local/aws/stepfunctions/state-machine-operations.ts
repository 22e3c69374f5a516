/**
 * CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines, DeleteStateMachine.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, toEpochSeconds, type RequestContext } from '../protocol';
import { parseStateMachineArn, sfnArn } from './arns';
import { compileDefinition } from './definition';
import { validateName } from './names';
import { decodeToken, encodeToken, pageSize } from './pagination';
import type {
  CreateStateMachineInput,
  ListStateMachinesInput,
  LoggingConfigurationInput,
  StateMachineInput,
  TracingConfigurationInput,
  UpdateStateMachineInput,
} from './schemas';
import type { LoggingConfiguration, StateMachineRecord, StepFunctionsStore } from './store';
import { validateRoleArn } from './validation';

const DEFAULT_LOGGING: LoggingConfiguration = { level: 'OFF', includeExecutionData: false };

function loggingOf(config: LoggingConfigurationInput): LoggingConfiguration | undefined {
  if (config === undefined) return undefined;
  return { level: config.level ?? 'OFF', includeExecutionData: config.includeExecutionData ?? false, ...(config.destinations ? { destinations: config.destinations } : {}) };
}

function tracingOf(config: TracingConfigurationInput): { enabled: boolean } | undefined {
  if (config === undefined) return undefined;
  return { enabled: config.enabled === true };
}

/**
 * CreateStateMachine is idempotent: the same name with the same definition, role and type returns the existing
 * state machine; anything different is `StateMachineAlreadyExists`.
 */
export function createStateMachine(store: StepFunctionsStore, request: CreateStateMachineInput, ctx: RequestContext) {
  const name = validateName(request.name);
  const text = request.definition;
  const roleArn = validateRoleArn(request.roleArn);
  const type = request.type ?? 'STANDARD';
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
    loggingConfiguration: loggingOf(request.loggingConfiguration) ?? DEFAULT_LOGGING,
    tracingConfiguration: tracingOf(request.tracingConfiguration) ?? { enabled: false },
    status: 'ACTIVE',
    executions: new Map(),
  };
  store.addMachine(machine);
  return { stateMachineArn: arn, creationDate: toEpochSeconds(machine.creationDate) };
}

/** Running executions keep the definition they started with; new ones use the update. */
export function updateStateMachine(store: StepFunctionsStore, request: UpdateStateMachineInput) {
  const machine = store.requireMachine(request.stateMachineArn);
  const { definition, roleArn, loggingConfiguration, tracingConfiguration } = request;
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

export function describeStateMachine(store: StepFunctionsStore, request: StateMachineInput) {
  const machine = store.requireMachine(request.stateMachineArn);
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

export function listStateMachines(store: StepFunctionsStore, request: ListStateMachinesInput, ctx: RequestContext) {
  const size = pageSize(request.maxResults);
  const start = decodeToken(request.nextToken) ?? 0;
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
export function deleteStateMachine(store: StepFunctionsStore, request: StateMachineInput) {
  const arn = request.stateMachineArn;
  parseStateMachineArn(arn);
  const machine = store.findMachine(arn);
  // DeleteStateMachine's errors are only InvalidArn and ValidationException: deleting twice succeeds.
  if (!machine) return {};
  machine.status = 'DELETING';
  const running = [...machine.executions.values()].filter((execution) => execution.status === 'RUNNING');
  if (running.length === 0) store.removeMachine(machine.arn);
  else void Promise.allSettled(running.map((execution) => execution.done)).then(() => store.removeMachine(machine.arn));
  return {};
}
