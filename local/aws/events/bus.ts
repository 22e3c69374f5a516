/**
 * What the operations of the emulated EventBridge need from the provider: the store, the default bus of the
 * caller, and the hooks that keep schedules and delivery in step with the rules.
 */
import { AwsServiceError, type RequestContext } from '../protocol';
import type { AwsEvent } from './envelope';
import { compileEventPattern, InvalidEventPatternError, type CompiledEventPattern } from './pattern';
import { DEFAULT_BUS, type EventsStore, type RuleRecord } from './store';

/** The provider as the operations see it. */
export interface EventBus {
  readonly store: EventsStore;
  /** Starts, restarts or stops the timer of a rule after it changed. */
  syncSchedule(rule: RuleRecord): void;
  /** Stops the timer of a deleted rule. */
  unschedule(rule: RuleRecord): void;
  /** Matches an event against the rules of its account and region and queues the deliveries. */
  route(event: AwsEvent): void;
}

/** The rules of the caller's default bus (`eventBusName` absent, `default` or its ARN); any other bus does not exist here. */
export function rulesOfBus(bus: EventBus, eventBusName: string | undefined, ctx: RequestContext): Map<string, RuleRecord> {
  if (eventBusName !== undefined && !isDefaultBus(eventBusName, ctx)) {
    throw new AwsServiceError('ResourceNotFoundException', `Event bus ${eventBusName} does not exist.`, 400);
  }
  return bus.store.rules(ctx.accountId, ctx.region);
}

/** The default bus may be named `default` or by its ARN. */
export function isDefaultBus(name: unknown, ctx: RequestContext): boolean {
  return name === DEFAULT_BUS || name === `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${DEFAULT_BUS}`;
}

/** The named rule of a bus, or AWS's `ResourceNotFoundException`. */
export function findRule(rules: Map<string, RuleRecord>, name: string): RuleRecord {
  const rule = rules.get(name);
  if (!rule) throw new AwsServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${DEFAULT_BUS}.`, 400);
  return rule;
}

/** Compiles a pattern from a request; an invalid one is AWS's `InvalidEventPatternException`. */
export function compileRequestPattern(text: string): CompiledEventPattern {
  try {
    return compileEventPattern(text);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw new AwsServiceError('InvalidEventPatternException', error.message, 400);
    throw error;
  }
}
