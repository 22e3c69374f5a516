/**
 * The envelope EventBridge puts around every event it delivers ("Amazon EventBridge events"):
 * `version` "0", `id`, `detail-type`, `source`, `account`, `time` (ISO 8601, seconds), `region`, `resources`,
 * `detail`.
 */
import { randomUUID } from 'node:crypto';

/** An event as EventBridge delivers it to targets. */
export interface AwsEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** What `buildEvent` needs; the rest of the envelope is fixed or defaulted. */
export interface EventFields {
  readonly detailType: string;
  readonly source: string;
  readonly account: string;
  readonly region: string;
  readonly resources?: readonly string[];
  readonly detail: unknown;
  readonly time?: Date;
  readonly id?: string;
}

/** Builds a complete event; `id` and `time` default to a fresh UUID and now. */
export function buildEvent(fields: EventFields): AwsEvent {
  return {
    version: '0',
    id: fields.id ?? randomUUID(),
    'detail-type': fields.detailType,
    source: fields.source,
    account: fields.account,
    time: formatEventTime(fields.time ?? new Date()),
    region: fields.region,
    resources: [...(fields.resources ?? [])],
    detail: fields.detail,
  };
}

/** EventBridge writes event times without fractional seconds: `2017-12-22T18:43:48Z`. */
export function formatEventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The event a schedule rule sends to its targets (source `aws.events`, detail-type `Scheduled Event`). */
export function buildScheduledEvent(ruleArn: string, account: string, region: string, time = new Date()): AwsEvent {
  return buildEvent({ detailType: 'Scheduled Event', source: 'aws.events', account, region, resources: [ruleArn], detail: {}, time });
}
