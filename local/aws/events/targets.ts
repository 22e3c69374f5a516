/**
 * Target operations of the emulated EventBridge: PutTargets, RemoveTargets, ListTargetsByRule.
 *
 * PutTargets accepts every kind of target AWS does (Lambda, SQS, SNS, Step Functions, Kinesis, ...): the local
 * cloud delivers to Lambda functions, and records each event matched for a target of another kind as undeliverable
 * (`EventsProvider.undeliverable()`, `GET /_local/events/undeliverable`) instead of refusing the target.
 */
import { AwsServiceError, type RequestContext } from '../protocol';
import { findRule, rulesOfBus, type EventBus } from './bus';
import type { AwsEvent } from './envelope';
import { paginate } from './pagination';
import { isPlainObject } from './pattern-operators';
import type { ListTargetsByRuleInput, PutTargetsInput, RemoveTargetsInput, TargetInput } from './schemas';
import type { TargetRecord } from './store';
import { validationError } from './validation';

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
export function putTargets(bus: EventBus, request: PutTargetsInput, ctx: RequestContext): { FailedEntryCount: number; FailedEntries: FailedEntry[] } {
  // The targets' ARNs are checked before the rule is looked up, as AWS does.
  const targets = request.Targets;
  for (const target of targets) requireTargetArn(target.Arn);
  const rule = findRule(rulesOfBus(bus, request.EventBusName, ctx), request.Rule);
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
export function removeTargets(bus: EventBus, request: RemoveTargetsInput, ctx: RequestContext): { FailedEntryCount: number; FailedEntries: FailedEntry[] } {
  const rule = findRule(rulesOfBus(bus, request.EventBusName, ctx), request.Rule);
  for (const id of request.Ids) rule.targets.delete(id);
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function listTargetsByRule(bus: EventBus, request: ListTargetsByRuleInput, ctx: RequestContext): { Targets: unknown[]; NextToken?: string } {
  paginate([], request); // The token is read before the rule is looked up.
  const rule = findRule(rulesOfBus(bus, request.EventBusName, ctx), request.Rule);
  const { page, nextToken } = paginate([...rule.targets.values()], request);
  const targets = page.map((t) => ({
    Id: t.id,
    Arn: t.arn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.roleArn !== undefined ? { RoleArn: t.roleArn } : {}),
  }));
  return { Targets: targets, ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function targetPayload(target: TargetRecord, event: AwsEvent): unknown {
  if (target.input !== undefined) return JSON.parse(target.input) as unknown;
  if (target.inputPath !== undefined) {
    let value: unknown = event;
    for (const key of target.inputPath.split('.').slice(1)) value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    return value ?? null;
  }
  return event;
}

/** The model only bounds a target's ARN; EventBridge refuses one that is not an ARN at all. */
function requireTargetArn(arn: string): void {
  if (!ARN.test(arn)) throw validationError(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
}

function unsupported(target: TargetInput): string | undefined {
  const hasTransformer = target.InputTransformer !== undefined && target.InputTransformer !== null;
  const inputs = [target.Input !== undefined, target.InputPath !== undefined, hasTransformer].filter(Boolean).length;
  if (inputs > 1) return 'Only one of Input, InputPath, or InputTransformer must be provided.';
  if (hasTransformer) return 'InputTransformer is not supported by the local EventBridge.';
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
