/**
 * The state of the emulated EventBridge: rules and their targets, per account and region (as LocalStack keys its
 * stores). Only the default event bus exists.
 */
import { AccountRegionStores } from '../stores';
import type { CompiledEventPattern } from './pattern';
import type { Schedule } from './schedule';

/** Rule states PutRule accepts. */
export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** The one event bus of the local cloud. */
export const DEFAULT_BUS = 'default';

/** A target as stored (Lambda function targets only). */
export interface TargetRecord {
  readonly id: string;
  readonly arn: string;
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  /** `$` or a dotted path (`$.detail`) selecting the part of the event sent. */
  readonly inputPath?: string;
  readonly roleArn?: string;
}

/** A rule as stored; mutable fields are replaced by PutRule, EnableRule and DisableRule. */
export interface RuleRecord {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  pattern?: CompiledEventPattern;
  schedule?: Schedule;
  state: RuleState;
  description?: string;
  roleArn?: string;
  /** Insertion-ordered, keyed by target id. */
  readonly targets: Map<string, TargetRecord>;
}

/** `arn:aws:events:REGION:ACCOUNT:rule/NAME` (rules of the default bus). */
export function ruleArn(region: string, account: string, name: string): string {
  return `arn:aws:events:${region}:${account}:rule/${name}`;
}

/** ENABLED and ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS both deliver. */
export function isRuleEnabled(rule: RuleRecord): boolean {
  return rule.state !== 'DISABLED';
}

/** Rules keyed by account and region. */
export class EventsStore {
  private readonly buses = new AccountRegionStores(() => new Map<string, RuleRecord>());

  /** The rules of the default bus of one account and region (created empty on first use). */
  rules(account: string, region: string): Map<string, RuleRecord> {
    return this.buses.get(region, account);
  }

  allRules(): RuleRecord[] {
    return this.buses.all().flatMap((rules) => [...rules.values()]);
  }
}
