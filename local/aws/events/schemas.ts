/**
 * Request shapes of the EventBridge operations, with the member constraints of its service model (botocore's
 * `events` model: lengths, patterns, enums, required members). The service's own rules (a pattern or a schedule,
 * the ARN format of a target, the default bus only) are checked by the operations after these.
 */
import { z } from 'zod';

/** Rule names and target ids: `[\.\-_A-Za-z0-9]+`, 1 to 64 characters. */
const name = z
  .string()
  .regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+');
/** The only bus is the default one: any other name is found missing by the operation (ResourceNotFoundException). */
const eventBusName = z.string().min(1).max(1600).optional();
const nextToken = z.string().min(1).max(2048).optional();
/** `LimitMax100`: EventBridge words both ends of its range in one constraint. */
const limit = z
  .number()
  .int()
  .min(1, 'Member must have value between 1 and 100')
  .max(100, 'Member must have value between 1 and 100')
  .optional();

export const putRuleInput = z.object({
  Name: name,
  ScheduleExpression: z.string().max(256).optional(),
  EventPattern: z.string().max(4096).optional(),
  State: z.enum(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']).optional(),
  Description: z.string().max(512).optional(),
  RoleArn: z.string().min(1).max(1600).optional(),
  EventBusName: eventBusName,
});
export type PutRuleInput = z.infer<typeof putRuleInput>;

/** DescribeRule, DeleteRule, EnableRule, DisableRule. */
export const ruleInput = z.object({ Name: name, EventBusName: eventBusName });
export type RuleInput = z.infer<typeof ruleInput>;

export const listRulesInput = z.object({ NamePrefix: z.string().min(1).max(64).optional(), EventBusName: eventBusName, NextToken: nextToken, Limit: limit });
export type ListRulesInput = z.infer<typeof listRulesInput>;

/** A target as PutTargets reads it (only what the local EventBridge uses or refuses; the rest is ignored). */
const target = z.object({
  Id: name,
  Arn: z.string().min(1).max(1600),
  Input: z.string().max(8192).optional(),
  InputPath: z.string().max(256).optional(),
  RoleArn: z.string().min(1).max(1600).optional(),
  InputTransformer: z.unknown().optional(),
});
export type TargetInput = z.infer<typeof target>;

export const putTargetsInput = z.object({ Rule: name, EventBusName: eventBusName, Targets: z.array(target).min(1).max(100) });
export type PutTargetsInput = z.infer<typeof putTargetsInput>;

export const removeTargetsInput = z.object({ Rule: name, EventBusName: eventBusName, Ids: z.array(name).min(1).max(100), Force: z.boolean().optional() });
export type RemoveTargetsInput = z.infer<typeof removeTargetsInput>;

export const listTargetsByRuleInput = z.object({ Rule: name, EventBusName: eventBusName, NextToken: nextToken, Limit: limit });
export type ListTargetsByRuleInput = z.infer<typeof listTargetsByRuleInput>;

/** Entries are checked one by one by PutEvents (a bad entry fails alone, in `Entries[].ErrorCode`). */
export const putEventsInput = z.object({ Entries: z.array(z.unknown()).min(1).max(10) });
export type PutEventsInput = z.infer<typeof putEventsInput>;

export const testEventPatternInput = z.object({ EventPattern: z.string().max(4096), Event: z.string() });
export type TestEventPatternInput = z.infer<typeof testEventPatternInput>;
