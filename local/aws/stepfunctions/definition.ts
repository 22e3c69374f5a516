/**
 * Checking a state machine definition and preparing it for the interpreter.
 *
 * `asl-validator` (the validator serverless-step-functions uses) checks the ASL; on top of that the definition
 * must stay within what runs locally — JSONPath only (aws-local-stepfunctions has no JSONata, `Assign` variables
 * or task tokens) and Lambda tasks only. Anything else is refused at CreateStateMachine with `InvalidDefinition`
 * and a message naming the state, rather than failing in the middle of an execution.
 */
import { AwsServiceError } from '../protocol';
import { StateMachine, type StateMachineDefinition } from './engine';
import type { StateInfo } from './history';
import { parseTaskResource, type TaskTarget } from './tasks';

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText(separator?: string): string };
const validateAsl = require('asl-validator') as AslValidator;

/**
 * aws-local-stepfunctions gives a Task without `TimeoutSeconds` a 60-second timeout; AWS gives it none (only the
 * execution's limit). Such tasks get the longest delay a Node.js timer can hold (about 24.8 days) instead.
 */
const NO_TASK_TIMEOUT_SECONDS = 2_147_483;

export interface CompiledDefinition {
  /** The definition as given: DescribeStateMachine returns it unchanged. */
  readonly text: string;
  /** Every state, including those inside Map and Parallel states. */
  readonly states: ReadonlyMap<string, StateInfo>;
  /** Task state name → what it invokes. */
  readonly tasks: ReadonlyMap<string, TaskTarget>;
  readonly engine: StateMachine;
}

function invalid(detail: string): AwsServiceError {
  return new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The nested state machines of a Map (`ItemProcessor`/`Iterator`) or Parallel (`Branches`) state. */
function children(state: Json): Json[] {
  const nested: unknown[] = [state.ItemProcessor, state.Iterator, ...(Array.isArray(state.Branches) ? state.Branches : [])];
  return nested.filter(isObject);
}

function checkLocallySupported(name: string, state: Json, tasks: Map<string, TaskTarget>): void {
  const where = `at /States/${name}`;
  if (state.QueryLanguage === 'JSONata') throw invalid(`UNSUPPORTED_LOCALLY: JSONata is not supported by the local Step Functions ${where}`);
  for (const field of ['Assign', 'Arguments', 'Output']) {
    if (field in state) throw invalid(`UNSUPPORTED_LOCALLY: the field '${field}' (variables/JSONata) is not supported by the local Step Functions ${where}`);
  }
  if (state.Type === 'Map') {
    const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : {};
    const config = isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
    if (config.Mode === 'DISTRIBUTED' || 'ItemReader' in state || 'ItemBatcher' in state || 'ResultWriter' in state) {
      throw invalid(`UNSUPPORTED_LOCALLY: distributed Map states are not supported by the local Step Functions ${where}`);
    }
  }
  if (state.Type === 'Task') {
    const target = parseTaskResource(state.Resource);
    if (!target) {
      throw invalid(`UNSUPPORTED_LOCALLY: the resource '${String(state.Resource)}' is not supported by the local Step Functions (Lambda function ARNs and arn:aws:states:::lambda:invoke are) ${where}`);
    }
    if (target.kind === 'lambda:invoke') {
      const parameters = isObject(state.Parameters) ? state.Parameters : {};
      if (!('FunctionName' in parameters) && !('FunctionName.$' in parameters)) {
        throw invalid(`SCHEMA_VALIDATION_FAILED: The field 'FunctionName' is required but was missing ${where}/Parameters`);
      }
    }
    tasks.set(name, target);
  }
}

function collectStates(machine: Json, states: Map<string, StateInfo>, tasks: Map<string, TaskTarget>): void {
  for (const [name, state] of Object.entries(isObject(machine.States) ? machine.States : {})) {
    if (!isObject(state)) continue;
    checkLocallySupported(name, state, tasks);
    states.set(name, { type: String(state.Type), definition: state });
    for (const child of children(state)) collectStates(child, states, tasks);
  }
}

/** The interpreter's copy: every Task gets an explicit timeout that a Node.js timer can hold. */
function forEngine(machine: Json): Json {
  // A JSON round trip, not structuredClone: the interpreter recognises nested payload templates only when they are
  // plain objects of its own realm (`Object.getPrototypeOf(value) === Object.prototype`), which a clone made by
  // the host's structuredClone is not inside a jest sandbox.
  const copy = JSON.parse(JSON.stringify(machine)) as Json;
  const visit = (node: Json) => {
    if (typeof node.TimeoutSeconds === 'number') node.TimeoutSeconds = Math.min(node.TimeoutSeconds, NO_TASK_TIMEOUT_SECONDS);
    for (const state of Object.values(isObject(node.States) ? node.States : {})) {
      if (!isObject(state)) continue;
      if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
      if (typeof state.TimeoutSeconds === 'number') state.TimeoutSeconds = Math.min(state.TimeoutSeconds, NO_TASK_TIMEOUT_SECONDS);
      children(state).forEach(visit);
    }
  };
  visit(copy);
  return copy;
}

/** Parses, validates and prepares a definition; throws `InvalidDefinition` as CreateStateMachine does. */
export function compileDefinition(text: unknown): CompiledDefinition {
  if (typeof text !== 'string') throw invalid('SCHEMA_VALIDATION_FAILED: the definition must be a JSON string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw invalid('SCHEMA_VALIDATION_FAILED: the definition must be a JSON object');
  if (parsed.QueryLanguage === 'JSONata') throw invalid('UNSUPPORTED_LOCALLY: JSONata is not supported by the local Step Functions');
  // asl-validator annotates the object it checks (it adds QueryLanguage to every state): give it a copy.
  const result = validateAsl(structuredClone(parsed), { checkPaths: true, checkArn: true });
  if (!result.isValid) throw invalid(result.errorsText('; '));
  const states = new Map<string, StateInfo>();
  const tasks = new Map<string, TaskTarget>();
  collectStates(parsed, states, tasks);
  const engine = new StateMachine(forEngine(parsed) as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  return { text, states, tasks, engine };
}
