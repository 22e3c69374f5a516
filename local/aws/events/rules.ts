/**
 * Rule operations of the emulated EventBridge: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule,
 * DisableRule (EventBridge API Reference).
 */
import type { RequestContext } from '../protocol';
import { compileRequestPattern, findRule, rulesOfBus, type EventBus } from './bus';
import { paginate } from './pagination';
import { parseScheduleExpression } from './schedule';
import type { ListRulesInput, PutRuleInput, RuleInput } from './schemas';
import { DEFAULT_BUS, ruleArn, type RuleRecord } from './store';
import { validationError } from './validation';

/** PutRule creates a rule or replaces the whole definition of an existing one. */
export function putRule(bus: EventBus, request: PutRuleInput, ctx: RequestContext): { RuleArn: string } {
  // The service's own checks come after the model's and before the bus is looked up, as AWS orders its errors.
  if (!request.EventPattern && !request.ScheduleExpression) throw validationError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  const pattern = request.EventPattern ? compileRequestPattern(request.EventPattern) : undefined;
  const schedule = request.ScheduleExpression ? parseScheduleExpression(request.ScheduleExpression) : undefined;
  if (request.ScheduleExpression && !schedule) throw validationError('Parameter ScheduleExpression is not valid.');
  const rules = rulesOfBus(bus, request.EventBusName, ctx);
  const name = request.Name;
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
  rule.state = request.State ?? 'ENABLED';
  rule.description = request.Description;
  rule.roleArn = request.RoleArn;
  rules.set(name, rule);
  bus.syncSchedule(rule);
  return { RuleArn: rule.arn };
}

export function describeRule(bus: EventBus, request: RuleInput, ctx: RequestContext): Record<string, unknown> {
  const rule = findRule(rulesOfBus(bus, request.EventBusName, ctx), request.Name);
  return { ...describe(rule), CreatedBy: rule.account };
}

export function listRules(bus: EventBus, request: ListRulesInput, ctx: RequestContext): { Rules: unknown[]; NextToken?: string } {
  const prefix = request.NamePrefix ?? '';
  paginate([], request); // The token is read before the bus is looked up, as AWS orders its errors.
  const matching = [...rulesOfBus(bus, request.EventBusName, ctx).values()]
    .filter((rule) => rule.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { page, nextToken } = paginate(matching, request);
  return { Rules: page.map(describe), ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function deleteRule(bus: EventBus, request: RuleInput, ctx: RequestContext): Record<string, never> {
  const rules = rulesOfBus(bus, request.EventBusName, ctx);
  const rule = rules.get(request.Name);
  if (!rule) return {};
  if (rule.targets.size > 0) throw validationError("Rule can't be deleted since it has targets.");
  rules.delete(request.Name);
  bus.unschedule(rule);
  return {};
}

/** EnableRule and DisableRule. */
export function setRuleState(bus: EventBus, request: RuleInput, ctx: RequestContext, state: 'ENABLED' | 'DISABLED'): Record<string, never> {
  const rule = findRule(rulesOfBus(bus, request.EventBusName, ctx), request.Name);
  rule.state = state;
  bus.syncSchedule(rule);
  return {};
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
