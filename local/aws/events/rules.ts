/**
 * Rule operations of the emulated EventBridge: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule,
 * DisableRule (EventBridge API Reference).
 */
import type { OperationInput, RequestContext } from '../protocol';
import { validationException } from '../validation';
import { compileRequestPattern, findRule, rulesOfBus, type EventBus } from './bus';
import { optionalString, paginate, requireName, validationError } from './input';
import { parseScheduleExpression } from './schedule';
import { DEFAULT_BUS, ruleArn, type RuleRecord, type RuleState } from './store';

const RULE_STATES: ReadonlySet<string> = new Set(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

/**
 * Creates or replaces a rule (targets are kept). A rule needs an event pattern, a schedule, or both.
 */
export function putRule(bus: EventBus, input: OperationInput, ctx: RequestContext): { RuleArn: string } {
  // AWS validates the request's members (constraints, then the service's own checks) before it looks the bus up.
  const name = requireName(input, 'Name');
  const state = optionalString(input, 'State') ?? 'ENABLED';
  if (!RULE_STATES.has(state)) {
    throw validationException([
      { member: 'state', value: state, constraint: 'Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]' },
    ]);
  }
  const patternText = optionalString(input, 'EventPattern');
  const scheduleText = optionalString(input, 'ScheduleExpression');
  if (!patternText && !scheduleText) throw validationError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  const pattern = patternText ? compileRequestPattern(patternText) : undefined;
  const schedule = scheduleText ? parseScheduleExpression(scheduleText) : undefined;
  if (scheduleText && !schedule) throw validationError('Parameter ScheduleExpression is not valid.');
  const rules = rulesOfBus(bus, input, ctx);
  const existing = rules.get(name);
  const rule: RuleRecord = existing ?? {
    name,
    arn: ruleArn(ctx.region, ctx.accountId, name),
    account: ctx.accountId,
    region: ctx.region,
    state: 'ENABLED',
    targets: new Map(),
  };
  // PutRule replaces the whole definition: members left out are cleared.
  rule.pattern = pattern;
  rule.schedule = schedule;
  rule.state = state as RuleState;
  rule.description = optionalString(input, 'Description');
  rule.roleArn = optionalString(input, 'RoleArn');
  rules.set(name, rule);
  bus.syncSchedule(rule);
  return { RuleArn: rule.arn };
}

/** DescribeRule: the rule, or `ResourceNotFoundException`. */
export function describeRule(bus: EventBus, input: OperationInput, ctx: RequestContext): Record<string, unknown> {
  const rule = findRule(rulesOfBus(bus, input, ctx), requireName(input, 'Name'));
  return { ...describe(rule), CreatedBy: rule.account };
}

/** ListRules: by name, filtered by `NamePrefix`, paginated by `Limit`/`NextToken`. */
export function listRules(bus: EventBus, input: OperationInput, ctx: RequestContext): { Rules: unknown[]; NextToken?: string } {
  const prefix = optionalString(input, 'NamePrefix') ?? '';
  paginate([], input); // Limit and NextToken are validated before the bus is looked up, as AWS orders its errors.
  const matching = [...rulesOfBus(bus, input, ctx).values()]
    .filter((rule) => rule.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { page, nextToken } = paginate(matching, input);
  return { Rules: page.map(describe), ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** Deleting a rule that does not exist succeeds; one that still has targets is refused, as AWS does. */
export function deleteRule(bus: EventBus, input: OperationInput, ctx: RequestContext): Record<string, never> {
  const name = requireName(input, 'Name');
  const rules = rulesOfBus(bus, input, ctx);
  const rule = rules.get(name);
  if (!rule) return {};
  if (rule.targets.size > 0) throw validationError("Rule can't be deleted since it has targets.");
  rules.delete(name);
  bus.unschedule(rule);
  return {};
}

/** EnableRule / DisableRule: a schedule rule's timer starts or stops with it. */
export function setRuleState(state: 'ENABLED' | 'DISABLED') {
  return (bus: EventBus, input: OperationInput, ctx: RequestContext): Record<string, never> => {
    const rule = findRule(rulesOfBus(bus, input, ctx), requireName(input, 'Name'));
    rule.state = state;
    bus.syncSchedule(rule);
    return {};
  };
}

function describe(rule: RuleRecord): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.pattern ? { EventPattern: rule.pattern.source } : {}),
    ...(rule.schedule ? { ScheduleExpression: rule.schedule.expression } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    EventBusName: DEFAULT_BUS,
  };
}
