/**
 * Target operations of the emulated EventBridge: PutTargets, RemoveTargets, ListTargetsByRule.
 *
 * PutTargets accepts every kind of target AWS does (Lambda, SQS, SNS, Step Functions, Kinesis, ...): the local
 * cloud delivers to Lambda functions, and records each event matched for a target of another kind as undeliverable
 * (`EventsProvider.undeliverable()`, `GET /_local/events/undeliverable`) instead of refusing the target.
 */
import { AwsServiceError, type OperationInput, type RequestContext } from '../protocol';
import { validationException } from '../validation';
import { findRule, rulesOfBus, type EventBus } from './bus';
import type { AwsEvent } from './envelope';
import { optionalString, paginate, requireList, requireName, validationError } from './input';
import { isPlainObject } from './pattern-operators';
import type { TargetRecord } from './store';

/** EventBridge quota: 5 targets per rule. */
export const MAX_TARGETS_PER_RULE = 5;

const ARN = /^arn:aws[a-zA-Z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:.+$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

/** True for a Lambda function (or alias/version) ARN: the only targets the local cloud delivers to. */
export function isLambdaFunctionArn(arn: string): boolean {
  return LAMBDA_FUNCTION_ARN.test(arn);
}
const INPUT_PATH = /^\$(\.[A-Za-z0-9_-]+)*$/;

interface FailedEntry {
  TargetId: string;
  ErrorCode: string;
  ErrorMessage: string;
}

/** PutTargets: adds or replaces targets; at most 5 per rule; those with invalid inputs are failed entries. */
export function putTargets(bus: EventBus, input: OperationInput, ctx: RequestContext): { FailedEntryCount: number; FailedEntries: FailedEntry[] } {
  // The request is validated (rule name, targets and their ARNs) before the rule is looked up, as AWS does.
  const ruleName = requireName(input, 'Rule');
  const targets = requireList(input, 'Targets', 1, 10).map((raw, index) => readTarget(raw, index));
  const rule = findRule(rulesOfBus(bus, input, ctx), ruleName);
  const ids = new Set([...rule.targets.keys(), ...targets.map((t) => t.Id)]);
  if (ids.size > MAX_TARGETS_PER_RULE) {
    throw new AwsServiceError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.', 400);
  }
  const failed: FailedEntry[] = [];
  for (const target of targets) {
    const problem = unsupported(target);
    if (problem) {
      failed.push({ TargetId: target.Id, ErrorCode: 'ValidationException', ErrorMessage: problem });
      continue;
    }
    const record: TargetRecord = {
      id: target.Id,
      arn: target.Arn,
      ...(target.Input !== undefined ? { input: target.Input } : {}),
      ...(target.InputPath !== undefined ? { inputPath: target.InputPath } : {}),
      ...(target.RoleArn !== undefined ? { roleArn: target.RoleArn } : {}),
    };
    rule.targets.set(target.Id, record);
  }
  return { FailedEntryCount: failed.length, FailedEntries: failed };
}

/** Removing ids the rule does not have is not an error. */
export function removeTargets(bus: EventBus, input: OperationInput, ctx: RequestContext): { FailedEntryCount: number; FailedEntries: FailedEntry[] } {
  const ruleName = requireName(input, 'Rule');
  const ids = requireList(input, 'Ids', 1, 100);
  const rule = findRule(rulesOfBus(bus, input, ctx), ruleName);
  for (const id of ids) {
    if (typeof id === 'string') rule.targets.delete(id);
  }
  return { FailedEntryCount: 0, FailedEntries: [] };
}

/** ListTargetsByRule: in the order they were added, paginated by `Limit`/`NextToken`. */
export function listTargetsByRule(bus: EventBus, input: OperationInput, ctx: RequestContext): { Targets: unknown[]; NextToken?: string } {
  const ruleName = requireName(input, 'Rule');
  paginate([], input); // Limit and NextToken are validated before the rule is looked up.
  const rule = findRule(rulesOfBus(bus, input, ctx), ruleName);
  const { page, nextToken } = paginate([...rule.targets.values()], input);
  const targets = page.map((t) => ({
    Id: t.id,
    Arn: t.arn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.roleArn !== undefined ? { RoleArn: t.roleArn } : {}),
  }));
  return { Targets: targets, ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** What a target receives: the event, its constant `Input`, or the part `InputPath` selects. */
export function targetPayload(target: TargetRecord, event: AwsEvent): unknown {
  if (target.input !== undefined) return JSON.parse(target.input) as unknown;
  if (target.inputPath !== undefined) {
    let value: unknown = event;
    for (const key of target.inputPath.split('.').slice(1)) value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    return value ?? null;
  }
  return event;
}

interface TargetInput {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  RoleArn?: string;
  hasTransformer: boolean;
}

function readTarget(raw: unknown, index: number): TargetInput {
  if (!isPlainObject(raw)) throw validationError(`Parameter Targets[${index}] is not valid.`);
  const id = requireName(raw, 'Id');
  const arn = requireTargetArn(raw, index);
  return {
    Id: id,
    Arn: arn,
    Input: optionalString(raw, 'Input'),
    InputPath: optionalString(raw, 'InputPath'),
    RoleArn: optionalString(raw, 'RoleArn'),
    hasTransformer: raw.InputTransformer !== undefined && raw.InputTransformer !== null,
  };
}

function requireTargetArn(raw: Record<string, unknown>, index: number): string {
  const arn = optionalString(raw, 'Arn');
  if (arn === undefined) {
    throw validationException([{ member: `targets.${index + 1}.member.arn`, value: undefined, constraint: 'Member must not be null' }]);
  }
  if (!ARN.test(arn)) throw validationError(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
  return arn;
}

/** Why this target is refused, if it is: its input settings (the kind of target is never a reason). */
function unsupported(target: TargetInput): string | undefined {
  const inputs = [target.Input !== undefined, target.InputPath !== undefined, target.hasTransformer].filter(Boolean).length;
  if (inputs > 1) return 'Only one of Input, InputPath, or InputTransformer must be provided.';
  if (target.hasTransformer) return 'InputTransformer is not supported by the local EventBridge.';
  if (target.Input !== undefined && !isJson(target.Input)) return 'Input is not valid JSON text.';
  if (target.InputPath !== undefined && !INPUT_PATH.test(target.InputPath)) {
    return `InputPath ${target.InputPath} is not supported by the local EventBridge: use $ or a dotted path such as $.detail.`;
  }
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
