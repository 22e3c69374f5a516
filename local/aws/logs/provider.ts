/**
 * CloudWatch Logs, as the AWS JSON 1.1 protocol serves it (`X-Amz-Target: Logs_20140328.<Operation>`, signed for
 * `logs`): log groups and streams, PutLogEvents, FilterLogEvents with the filter patterns of filter-pattern.ts.
 * Unlike the other JSON services, its timestamps are epoch milliseconds. Errors as the CloudWatch Logs API
 * reference names them: InvalidParameterException (request validation included), ResourceNotFoundException,
 * ResourceAlreadyExistsException. One {@link LogStore} per region; state in memory only.
 */
import { AwsServiceError, type OperationHandler, type RequestContext, type ServiceProvider } from '../protocol';
import { compileFilterPattern, FilterPatternError } from './filter-pattern';
import { AccountRegionStores } from '../stores';
import * as schemas from './schemas';
import { DEFAULT_MAX_EVENTS_PER_GROUP, LogStore, type LogGroup, type StoredEvent } from './store';
import { parseInput } from './validation';

/** "Possible values": the RetentionInDays AWS accepts. */
const RETENTION_DAYS = new Set([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);
/** PutLogEvents: "The maximum batch size is 1,048,576 bytes", counted as the messages' UTF-8 bytes plus 26 per event. */
const MAX_BATCH_BYTES = 1_048_576;
/** "None of the log events in the batch can be more than 2 hours in the future" / "more than 14 days old". */
const MAX_FUTURE_MS = 2 * 3600_000;
const MAX_AGE_MS = 14 * 86400_000;
/** "The batch of events must fit in a single 24-hour period." */
const MAX_BATCH_SPAN_MS = 24 * 3600_000;

const invalid = (message: string) => new AwsServiceError('InvalidParameterException', message);
const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message);

export interface LogsProviderOptions {
  /** Events kept per log group before the oldest are dropped. */
  maxEventsPerGroup?: number;
  now?: () => number;
}

export class LogsProvider implements ServiceProvider {
  readonly targetPrefix = 'Logs_20140328';
  readonly jsonVersion = '1.1' as const;
  readonly signingName = 'logs';
  readonly operations: Record<string, OperationHandler> = {
    CreateLogGroup: (input, ctx) => this.createLogGroup(input, ctx),
    DescribeLogGroups: (input, ctx) => this.describeLogGroups(input, ctx),
    PutRetentionPolicy: (input, ctx) => this.putRetentionPolicy(input, ctx),
    CreateLogStream: (input, ctx) => this.createLogStream(input, ctx),
    PutLogEvents: (input, ctx) => this.putLogEvents(input, ctx),
    FilterLogEvents: (input, ctx) => this.filterLogEvents(input, ctx),
  };

  private readonly stores = new AccountRegionStores(() => new LogStore(this.options.maxEventsPerGroup ?? DEFAULT_MAX_EVENTS_PER_GROUP));
  private readonly now: () => number;

  constructor(private readonly options: LogsProviderOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** The log groups of one account and region (created on first use). */
  store(region: string, accountId?: string): LogStore {
    return this.stores.get(region, accountId);
  }


  /**
   * Appends lines as Lambda does with a function's stdout: to `/aws/lambda/<name>`, stream by stream, creating the
   * group and the stream on first use (Lambda creates both with the function's role; no API call here).
   */
  ingest(region: string, groupName: string, streamName: string, lines: ReadonlyArray<{ timestamp: number; message: string }>): void {
    const store = this.store(region);
    const now = this.now();
    const group = store.groups.get(groupName) ?? store.createGroup(groupName, now);
    const stream = group.streams.get(streamName) ?? store.createStream(group, streamName, now);
    store.append(group, stream, lines, now);
  }

  private group(ctx: RequestContext, name: string): LogGroup {
    const group = this.store(ctx.region, ctx.accountId).groups.get(name);
    if (!group) throw notFound('The specified log group does not exist.');
    return group;
  }

  private createLogGroup(input: unknown, ctx: RequestContext): Record<string, never> {
    const request = parseInput(schemas.createLogGroupInput, input);
    const store = this.store(ctx.region, ctx.accountId);
    if (store.groups.has(request.logGroupName)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    store.createGroup(request.logGroupName, this.now(), request.tags);
    return {};
  }

  private describeLogGroups(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.describeLogGroupsInput, input);
    const names = [...this.store(ctx.region, ctx.accountId).groups.keys()].filter((n) => n.startsWith(request.logGroupNamePrefix ?? '')).sort();
    const start = request.nextToken ? names.findIndex((n) => n > decodeToken<string>(request.nextToken)) : 0;
    const limit = request.limit ?? 50;
    const page = start < 0 ? [] : names.slice(start, start + limit);
    const more = start >= 0 && start + limit < names.length;
    return {
      logGroups: page.map((name) => {
        const group = this.group(ctx, name);
        const arn = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;
        return {
          logGroupName: name,
          creationTime: group.creationTime,
          ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
          metricFilterCount: 0,
          arn: `${arn}:*`,
          logGroupArn: arn,
          storedBytes: group.storedBytes,
          logGroupClass: 'STANDARD',
        };
      }),
      ...(more ? { nextToken: encodeToken(page[page.length - 1]) } : {}),
    };
  }

  private putRetentionPolicy(input: unknown, ctx: RequestContext): Record<string, never> {
    const request = parseInput(schemas.putRetentionPolicyInput, input);
    if (!RETENTION_DAYS.has(request.retentionInDays)) {
      throw invalid(`1 validation error detected: Value '${request.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(', ')}]`);
    }
    this.group(ctx, request.logGroupName).retentionInDays = request.retentionInDays;
    return {};
  }

  private createLogStream(input: unknown, ctx: RequestContext): Record<string, never> {
    const request = parseInput(schemas.createLogStreamInput, input);
    const group = this.group(ctx, request.logGroupName);
    if (group.streams.has(request.logStreamName)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    this.store(ctx.region, ctx.accountId).createStream(group, request.logStreamName, this.now());
    return {};
  }

  private putLogEvents(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.putLogEventsInput, input);
    const group = this.group(ctx, request.logGroupName);
    const stream = group.streams.get(request.logStreamName);
    if (!stream) throw notFound('The specified log stream does not exist.');
    const bytes = request.logEvents.reduce((sum, e) => sum + Buffer.byteLength(e.message) + 26, 0);
    if (bytes > MAX_BATCH_BYTES) throw invalid(`Upload too large: ${bytes} bytes exceeds ${MAX_BATCH_BYTES} bytes`);
    const times = request.logEvents.map((e) => e.timestamp);
    if (times.some((t, i) => i > 0 && t < times[i - 1])) throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
    if (times[times.length - 1] - times[0] > MAX_BATCH_SPAN_MS) throw invalid('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    // Too old and too new events are not stored but reported by index, and the rest is accepted (the API reference).
    const now = this.now();
    const tooOldEnd = times.filter((t) => t < now - MAX_AGE_MS).length;
    const tooNewStart = times.findIndex((t) => t > now + MAX_FUTURE_MS);
    const accepted = request.logEvents.slice(tooOldEnd, tooNewStart < 0 ? undefined : tooNewStart);
    this.store(ctx.region, ctx.accountId).append(group, stream, accepted, now);
    const rejected = { ...(tooOldEnd > 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}), ...(tooNewStart >= 0 ? { tooNewLogEventStartIndex: tooNewStart } : {}) };
    return Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {};
  }

  /**
   * Events of one group in time order (then ingestion order), from `startTime` to `endTime`, both inclusive ("events
   * with a timestamp before/later than this time are not returned"), up to `limit` (default 10,000) per page;
   * `nextToken` continues after the last event returned.
   */
  private filterLogEvents(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.filterLogEventsInput, input);
    if (request.logGroupName && request.logGroupIdentifier) throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    if (request.logStreamNames && request.logStreamNamePrefix) throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    const name = request.logGroupName ?? groupNameOf(request.logGroupIdentifier);
    if (!name) throw invalid('Either LogGroup name or LogGroup ARN must be provided.');
    const group = this.group(ctx, name);
    let matches;
    try {
      matches = compileFilterPattern(request.filterPattern);
    } catch (error) {
      if (error instanceof FilterPatternError) throw invalid(`Invalid filter pattern: ${error.message}`);
      throw error;
    }
    const after = request.nextToken ? decodeToken<{ t: number; s: number }>(request.nextToken) : undefined;
    const streams = request.logStreamNames ? new Set(request.logStreamNames) : undefined;
    const limit = request.limit ?? 10_000;
    const events: StoredEvent[] = [];
    let more = false;
    for (const event of group.events) {
      if (after && (event.timestamp < after.t || (event.timestamp === after.t && event.seq <= after.s))) continue;
      if (request.startTime !== undefined && event.timestamp < request.startTime) continue;
      if (request.endTime !== undefined && event.timestamp > request.endTime) break;
      if (streams && !streams.has(event.logStreamName)) continue;
      if (request.logStreamNamePrefix !== undefined && !event.logStreamName.startsWith(request.logStreamNamePrefix)) continue;
      if (!matches(event.message)) continue;
      if (events.length === limit) {
        more = true;
        break;
      }
      events.push(event);
    }
    const last = events[events.length - 1];
    return {
      events: events.map((e) => ({ logStreamName: e.logStreamName, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: String(e.seq).padStart(56, '0') })),
      searchedLogStreams: [],
      ...(more && last ? { nextToken: encodeToken({ t: last.timestamp, s: last.seq }) } : {}),
    };
  }
}

/** A log group's name from its ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`) or the name itself. */
function groupNameOf(identifier: string | undefined): string | undefined {
  if (!identifier) return undefined;
  const match = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(:\*)?$/.exec(identifier);
  return match ? match[1] : identifier;
}

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string | undefined): T {
  try {
    return JSON.parse(Buffer.from(token ?? '', 'base64url').toString('utf8')) as T;
  } catch {
    throw invalid('The specified nextToken is invalid.');
  }
}
