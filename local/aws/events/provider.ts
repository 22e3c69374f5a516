/**
 * The emulated Amazon EventBridge (default event bus only): rules with AWS's event-pattern language, schedule
 * rules, and asynchronous delivery to Lambda targets with Lambda's async retry semantics.
 *
 * Served by the local AWS endpoint as `AWSEvents.*` (JSON 1.1, signing name `events`). Other local services put
 * events on the bus with `publish()`, which takes the same matching and delivery path as PutEvents.
 *
 * @example
 * const events = new EventsProvider({ invokeLambda: (arn, event) => lambda.invokeAsync(arn, event), faults });
 * events.publish(taskStateChangeEvent);
 * await events.drain();
 */
import type { Faults } from '../../faults/faults';
import { LOCAL_ACCOUNT_ID, type OperationHandler, type RequestContext, type ServiceProvider } from '../protocol';
import type { EventBus } from './bus';
import { LambdaDelivery, type InjectedFaultRecord, type InvokeLambda, type OnFailureRecord, type UndeliveredRecord } from './delivery';
import { buildScheduledEvent, type AwsEvent } from './envelope';
import { putEvents, testEventPattern } from './put-events';
import { deleteRule, describeRule, listRules, putRule, setRuleState } from './rules';
import { RuleScheduler } from './scheduler';
import * as schemas from './schemas';
import { EventsStore, isRuleEnabled, type RuleRecord, type RuleState, type TargetRecord } from './store';
import { isLambdaFunctionArn, listTargetsByRule, putTargets, removeTargets, targetPayload } from './targets';
import { parseInput } from './validation';

export type { AwsEvent } from './envelope';
export type { InvokeLambda, OnFailureRecord, UndeliveredRecord, InjectedFaultRecord } from './delivery';

/** What the provider is built with; only `invokeLambda` is required. */
export interface EventsProviderOptions {
  /** Invokes a Lambda function asynchronously; rejects when the function fails. */
  readonly invokeLambda: InvokeLambda;
  /** Shared fault-injection state; its `events` settings apply to deliveries. */
  readonly faults?: Faults;
  /** Waits before Lambda's two retries; default one and two minutes. */
  readonly retryDelaysMs?: readonly number[];
  /** Multiplies schedule periods (0.001 makes `rate(1 minute)` fire every 60 ms). Default 1. */
  readonly scheduleScale?: number;
  /** How long a reordered delivery waits for the next one to swap with. Default 1 s. */
  readonly reorderHoldMs?: number;
}

/** A rule as the local cloud's persistence saves it: what PutRule and PutTargets were given. */
export interface RuleSnapshot {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly state: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
  readonly targets: TargetRecord[];
}

/** An event matched for a target the local cloud does not deliver to (see {@link EventsProvider.undeliverable}). */
export interface UndeliverableRecord {
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  /** What the target would have received (the event, its `Input` or the `InputPath` part). */
  readonly payload: unknown;
  readonly reason: string;
  readonly timestamp: string;
}

export interface EventsSnapshot {
  readonly rules: RuleSnapshot[];
}

/** The `AWSEvents` provider (see the module comment). */
export class EventsProvider implements ServiceProvider, EventBus {
  readonly targetPrefix = 'AWSEvents';
  readonly jsonVersion = '1.1' as const;
  readonly signingName = 'events';
  /** Operation name → handler: the input parsed with the operation's schema, then the operation (rules.ts, targets.ts, put-events.ts). */
  readonly operations: Record<string, OperationHandler> = {
    PutRule: (input, ctx) => this.changed(putRule(this, parseInput(schemas.putRuleInput, input), ctx)),
    DescribeRule: (input, ctx) => describeRule(this, parseInput(schemas.ruleInput, input), ctx),
    ListRules: (input, ctx) => listRules(this, parseInput(schemas.listRulesInput, input), ctx),
    DeleteRule: (input, ctx) => this.changed(deleteRule(this, parseInput(schemas.ruleInput, input), ctx)),
    EnableRule: (input, ctx) => this.changed(setRuleState(this, parseInput(schemas.ruleInput, input), ctx, 'ENABLED')),
    DisableRule: (input, ctx) => this.changed(setRuleState(this, parseInput(schemas.ruleInput, input), ctx, 'DISABLED')),
    PutTargets: (input, ctx) => this.changed(putTargets(this, parseInput(schemas.putTargetsInput, input), ctx)),
    RemoveTargets: (input, ctx) => this.changed(removeTargets(this, parseInput(schemas.removeTargetsInput, input), ctx)),
    ListTargetsByRule: (input, ctx) => listTargetsByRule(this, parseInput(schemas.listTargetsByRuleInput, input), ctx),
    // PutEvents changes nothing that is kept.
    PutEvents: (input, ctx) => putEvents(this, parseInput(schemas.putEventsInput, input), ctx),
    TestEventPattern: (input) => testEventPattern(this, parseInput(schemas.testEventPatternInput, input)),
  };
  readonly store = new EventsStore();
  private readonly delivery: LambdaDelivery;
  private readonly scheduler: RuleScheduler;
  private readonly undeliverableRecords: UndeliverableRecord[] = [];
  private changes = 0;

  constructor(options: EventsProviderOptions) {
    this.delivery = new LambdaDelivery({
      invokeLambda: options.invokeLambda,
      faults: options.faults,
      retryDelaysMs: options.retryDelaysMs,
      reorderHoldMs: options.reorderHoldMs,
    });
    this.scheduler = new RuleScheduler(options.scheduleScale ?? 1);
  }

  /** Counts a write (see {@link EventsProvider.revision}) and passes its result through. */
  private changed<T>(result: T): T {
    this.changes += 1;
    return result;
  }

  /** Grows with every change of a rule or its targets: the local cloud's persistence polls it to know when to save. */
  get revision(): number {
    return this.changes;
  }

  /** The rules `keep` accepts (all by default), as the PutRule/PutTargets input that re-creates them. */
  exportSnapshot(keep: (rule: RuleRecord) => boolean = () => true): EventsSnapshot {
    const rules = this.store.allRules().filter(keep).map((rule) => ({
      name: rule.name,
      account: rule.account,
      region: rule.region,
      ...(rule.pattern ? { eventPattern: rule.pattern.source } : {}),
      ...(rule.schedule ? { scheduleExpression: rule.schedule.expression } : {}),
      state: rule.state,
      ...(rule.description !== undefined ? { description: rule.description } : {}),
      ...(rule.roleArn !== undefined ? { roleArn: rule.roleArn } : {}),
      targets: [...rule.targets.values()].map((target) => ({ ...target })),
    }));
    return { rules };
  }

  /**
   * Re-creates saved rules through PutRule and PutTargets, so they pass the same validation and their schedules
   * start; a rule of the same name is replaced.
   */
  importSnapshot(snapshot: EventsSnapshot): void {
    for (const rule of snapshot.rules) {
      const ctx: RequestContext = { region: rule.region, accountId: rule.account, requestId: 'local-restore' };
      putRule(
        this,
        parseInput(schemas.putRuleInput, {
          Name: rule.name,
          ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
          ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
          State: rule.state,
          ...(rule.description !== undefined ? { Description: rule.description } : {}),
          ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
        }),
        ctx,
      );
      if (rule.targets.length === 0) continue;
      const targets = rule.targets.map((t) => ({
        Id: t.id,
        Arn: t.arn,
        ...(t.input !== undefined ? { Input: t.input } : {}),
        ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
        ...(t.roleArn !== undefined ? { RoleArn: t.roleArn } : {}),
      }));
      putTargets(this, parseInput(schemas.putTargetsInput, { Rule: rule.name, Targets: targets }), ctx);
    }
    this.changes += 1;
  }

  /**
   * Puts a complete AWS-shaped event on the default bus of its account and region (for the other local services,
   * e.g. ECS task state changes). Returns the event id. Delivery is asynchronous.
   */
  publish(event: AwsEvent): string {
    this.route(event);
    return event.id;
  }

  route(event: AwsEvent): void {
    for (const rule of this.store.rules(event.account || LOCAL_ACCOUNT_ID, event.region).values()) {
      if (isRuleEnabled(rule) && rule.pattern?.matches(event)) this.deliverToTargets(rule, event);
    }
  }

  syncSchedule(rule: RuleRecord): void {
    if (rule.schedule?.kind === 'rate' && isRuleEnabled(rule)) {
      this.scheduler.start(rule.arn, rule.schedule.everyMs, () => this.fireSchedule(rule));
    } else {
      this.scheduler.stop(rule.arn);
    }
  }

  unschedule(rule: RuleRecord): void {
    this.scheduler.stop(rule.arn);
  }

  /** Resolves when no delivery is pending (queued, running, delayed or waiting to retry). */
  drain(): Promise<void> {
    return this.delivery.drain();
  }

  /** Stops schedule timers and delivery; running invocations are awaited, waiting ones abandoned. */
  async close(): Promise<void> {
    this.scheduler.stopAll();
    await this.delivery.close();
  }

  /** Lambda on-failure destination records of deliveries whose retries were exhausted. */
  onFailure(): readonly OnFailureRecord[] {
    return this.delivery.onFailure();
  }

  clearOnFailure(): void {
    this.delivery.clearOnFailure();
  }

  /** Deliveries dropped by fault injection. */
  droppedByFault(): readonly UndeliveredRecord[] {
    return this.delivery.droppedByFault();
  }

  clearDroppedByFault(): void {
    this.delivery.clearDroppedByFault();
  }

  /** Every event fault injected (drop, duplicate, delay, reorder), in order. */
  injectedFaults(): readonly InjectedFaultRecord[] {
    return this.delivery.injectedFaults();
  }

  /**
   * Events matched for targets the local cloud cannot deliver to (SQS, SNS, Step Functions, ...), oldest first:
   * AWS accepts such targets and delivers to them; here they are accepted and each event is recorded instead.
   */
  undeliverable(): readonly UndeliverableRecord[] {
    return this.undeliverableRecords;
  }

  clearUndeliverable(): void {
    this.undeliverableRecords.length = 0;
  }

  /** Deliveries abandoned because `close()` came while they waited. */
  abandonedOnClose(): readonly UndeliveredRecord[] {
    return this.delivery.abandonedOnClose();
  }

  private fireSchedule(rule: RuleRecord): void {
    // The timer may outlive a change made in the same tick: check the rule is still there and enabled.
    if (this.store.rules(rule.account, rule.region).get(rule.name) !== rule || !isRuleEnabled(rule)) return;
    this.deliverToTargets(rule, buildScheduledEvent(rule.arn, rule.account, rule.region));
  }

  private deliverToTargets(rule: RuleRecord, event: AwsEvent): void {
    for (const target of rule.targets.values()) {
      const payload = targetPayload(target, event);
      if (isLambdaFunctionArn(target.arn)) {
        this.delivery.deliver(event.id, { ruleArn: rule.arn, targetId: target.id, functionArn: target.arn }, payload);
      } else {
        this.undeliverableRecords.push({
          eventId: event.id,
          ruleArn: rule.arn,
          targetId: target.id,
          targetArn: target.arn,
          payload,
          reason: 'the local cloud delivers to Lambda function targets only',
          timestamp: new Date().toISOString(),
        });
      }
    }
  }
}
