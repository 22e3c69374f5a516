/**
 * PutEvents and TestEventPattern of the emulated EventBridge.
 *
 * PutEvents validates each entry on its own, as AWS does: a bad entry becomes a failed entry (`ErrorCode`,
 * `ErrorMessage`) and the others are still put. An accepted entry gets an `EventId`, is wrapped in the event
 * envelope and routed; delivery happens after the answer.
 */
import { AwsServiceError, type RequestContext } from '../protocol';
import { compileRequestPattern, isDefaultBus, type EventBus } from './bus';
import { buildEvent } from './envelope';
import { isPlainObject } from './pattern-operators';
import type { PutEventsInput, TestEventPatternInput } from './schemas';
import { validationError } from './validation';

type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** EventBridge quota: a PutEvents request carries at most 256 KB of entries. */
const MAX_REQUEST_BYTES = 256 * 1024;

/** PutEvents: 1 to 10 entries, each accepted (EventId) or failed (ErrorCode, ErrorMessage). */
export function putEvents(bus: EventBus, request: PutEventsInput, ctx: RequestContext): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
  const entries = request.Entries;
  if (entries.reduce((sum: number, entry) => sum + entrySize(entry), 0) > MAX_REQUEST_BYTES) {
    throw validationError('Total size of the entries in the request is over the limit.');
  }
  const results = entries.map((entry) => putEntry(bus, entry, ctx));
  return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
}

function putEntry(bus: EventBus, entry: unknown, ctx: RequestContext): PutEventsResultEntry {
  const fields = isPlainObject(entry) ? entry : {};
  const source = fields.Source;
  const detailType = fields.DetailType;
  const detailText = fields.Detail;
  if (fields.EventBusName !== undefined && fields.EventBusName !== null && !isDefaultBus(fields.EventBusName, ctx)) {
    return failed('ResourceNotFoundException', `Event bus ${String(fields.EventBusName)} does not exist.`);
  }
  if (typeof source !== 'string' || source === '') {
    return failed('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
  }
  if (typeof detailType !== 'string' || detailType === '') {
    return failed('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
  }
  if (typeof detailText !== 'string' || detailText === '') {
    return failed('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
  }
  // The `aws.` sources belong to AWS services; a custom application cannot send events in their name.
  if (source.startsWith('aws.')) return failed('NotAuthorizedForSourceException', 'Not authorized for the source.');
  const detail = parseObject(detailText);
  if (detail === undefined) return failed('MalformedDetail', 'Detail is malformed.');
  const resources = Array.isArray(fields.Resources) ? fields.Resources.filter((r): r is string => typeof r === 'string') : [];
  const event = buildEvent({ detailType, source, account: ctx.accountId, region: ctx.region, resources, detail, time: entryTime(fields.Time) });
  bus.route(event);
  return { EventId: event.id };
}

/** TestEventPattern: the same matcher as the rules use. */
export function testEventPattern(_bus: EventBus, request: TestEventPatternInput): { Result: boolean } {
  const pattern = compileRequestPattern(request.EventPattern);
  const event = parseObject(request.Event);
  // AWS requires the envelope fields of a real event in the test event.
  const required = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
  if (event === undefined || required.some((key) => !Object.hasOwn(event, key))) {
    throw new AwsServiceError('ValidationException', 'Parameter Event is not valid.', 400);
  }
  return { Result: pattern.matches(event) };
}

function failed(code: string, message: string): PutEventsResultEntry {
  return { ErrorCode: code, ErrorMessage: message };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK sends `Time` as epoch seconds; an absent or unreadable time means now. */
function entryTime(time: unknown): Date | undefined {
  if (typeof time === 'number' && Number.isFinite(time)) return new Date(time * 1000);
  if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) return new Date(time);
  return undefined;
}

/** Entry size as EventBridge counts it ("Calculating PutEvents event entry size"). */
function entrySize(entry: unknown): number {
  if (!isPlainObject(entry)) return 0;
  const text = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, r: unknown) => sum + text(r), 0) : 0;
  return (entry.Time !== undefined ? 14 : 0) + text(entry.Source) + text(entry.DetailType) + text(entry.Detail) + resources;
}
