import type { FilterLogEventsCommandInput, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { LogsApi } from '../adapters/logs';
import * as z from 'zod/mini';
import { DNS_LABEL } from '../domain/spec/names';
import { InvalidInputError } from '../errors';
import { parseWith } from './request';

/**
 * `GET /activity`: what the orchestrator did with recent task transitions and what each reconcile repaired, read
 * back from the activity lines the task-event and reconcile functions log (layers/churn/activity.ts) in their
 * CloudWatch Logs groups. There is no other store: on AWS, Lambda sends every function's stdout to
 * `/aws/lambda/<function name>`, kept for `provider.logRetentionInDays`.
 *
 * Bounded: at most `limit` items (≤ {@link MAX_ACTIVITY_LIMIT}), over at most {@link MAX_ACTIVITY_WINDOW_MS} back,
 * with at most {@link MAX_FILTER_CALLS} FilterLogEvents calls per request (each answers ≤ 1 MB).
 */

/** The largest page the route answers (a few hundred bytes per item: well under API Gateway's and Lambda's 6 MB). */
export const MAX_ACTIVITY_LIMIT = 500;
export const DEFAULT_ACTIVITY_LIMIT = 100;
/** `since` defaults to this far back. */
export const DEFAULT_ACTIVITY_WINDOW_MS = 15 * 60_000;
/** How far back `since` may go: a day of a busy mesh is already many thousands of lines to scan. */
export const MAX_ACTIVITY_WINDOW_MS = 24 * 3600_000;
/** FilterLogEvents calls per request, over both groups; past it the answer says how far back it is complete. */
export const MAX_FILTER_CALLS = 20;
/** Events asked per FilterLogEvents call. */
const PAGE_SIZE = 1000;
/** The first window read, newest first; each next one is twice as long. */
const FIRST_WINDOW_MS = 60_000;
/** Longest string kept from a log line's field (a reason, an address): a log line is not trusted to be small. */
const MAX_FIELD_CHARS = 300;

export const TASK_OUTCOMES = [
  'registered',
  'updated',
  'deregistered',
  'servers-changed',
  'ignored-stale',
  'ignored-duplicate',
  'ignored-not-in-mesh',
  'ignored-not-running-yet',
  'ignored-no-address',
  'ignored-already-deregistered',
  'ignored-no-spec',
] as const;

/** `GET /activity?since=&limit=&service=&outcome=&kind=`; unknown parameters are refused as everywhere. */
export const ActivityQuerySchema = z.strictObject({
  since: z.optional(z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-06T10:00:00Z' })),
  limit: z._default(
    z.pipe(
      z.pipe(z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number')), z.transform(Number)),
      z.number().check(z.minimum(1, 'must be at least 1'), z.maximum(MAX_ACTIVITY_LIMIT, `must be at most ${MAX_ACTIVITY_LIMIT}`)),
    ),
    DEFAULT_ACTIVITY_LIMIT,
  ),
  service: z.optional(z.string().check(z.regex(DNS_LABEL, 'must be a service name'))),
  outcome: z.optional(z.enum(TASK_OUTCOMES)),
  kind: z.optional(z.enum(['task', 'reconcile'])),
});
export type ActivityQuery = z.output<typeof ActivityQuerySchema>;

export interface TaskActivityItem {
  kind: 'task';
  time: string;
  cluster?: string;
  service?: string;
  taskId?: string;
  lastStatus?: string;
  desiredStatus?: string;
  version?: number;
  outcome?: string;
  reason?: string;
  address?: string;
}

export interface ReconcileActivityItem {
  kind: 'reconcile';
  time: string;
  clusters?: number;
  tasksSeen?: number;
  repairs?: Record<string, number>;
  conflicts?: number;
  failedClusters?: string[];
  durationMs?: number;
  skipped?: string;
}

export type ActivityItem = TaskActivityItem | ReconcileActivityItem;

export interface ActivityList {
  items: ActivityItem[];
  /** The range asked (`since` → the time of the request). */
  since: string;
  until: string;
  /** How far back the items are complete: `since`, unless the call budget ran out first (then `complete` is false). */
  coveredFrom: string;
  complete: boolean;
  /** More activity matched in the covered range than `limit`: the oldest were left out. */
  truncated: boolean;
}

export interface ActivityDeps {
  logs: Pick<LogsApi, 'filterLogEvents'>;
  /** The task-event and reconcile functions' log groups. */
  logGroups: readonly string[];
  now: () => Date;
}

/**
 * The JSON filter pattern of the activity lines, narrowed by the query: CloudWatch Logs filters before the route
 * bounds the answer, so `limit` counts only matching items. The values were validated (a DNS label, an enum), so
 * they need no escaping inside the quotes.
 * @example buildActivityFilterPattern({ service: 'users' }) // '{ $.activity = "task" && $.ecsService = "users" }'
 */
export function buildActivityFilterPattern(query: Pick<ActivityQuery, 'service' | 'outcome' | 'kind'>): string {
  const kind = query.service || query.outcome ? 'task' : query.kind;
  const terms = [kind ? `$.activity = "${kind}"` : '$.activity = *'];
  if (query.service) terms.push(`$.ecsService = "${query.service}"`);
  if (query.outcome) terms.push(`$.outcome = "${query.outcome}"`);
  return `{ ${terms.join(' && ')} }`;
}

/** Parses the query string: 400 naming each bad parameter (`query.since`), `since` in the future or too far back. */
export function parseActivityQuery(query: Record<string, string>, now: Date): ActivityQuery & { sinceMs: number } {
  const parsed = parseWith(ActivityQuerySchema, query, 'query');
  const sinceMs = parsed.since ? Date.parse(parsed.since) : now.getTime() - DEFAULT_ACTIVITY_WINDOW_MS;
  const bound = z
    .number()
    .check(
      z.maximum(now.getTime(), 'must not be in the future'),
      z.minimum(now.getTime() - MAX_ACTIVITY_WINDOW_MS, `must be at most ${MAX_ACTIVITY_WINDOW_MS / 3600_000} hours ago`),
    );
  parseWith(z.strictObject({ since: bound }), { since: sinceMs }, 'query');
  if (parsed.kind === 'reconcile' && (parsed.service || parsed.outcome)) {
    throw new InvalidInputError('invalid query', [{ path: `query.${parsed.service ? 'service' : 'outcome'}`, message: 'only task activity has a service and an outcome, not kind=reconcile' }]);
  }
  return { ...parsed, sinceMs };
}

/**
 * Reads the newest activity first: FilterLogEvents answers each group oldest first, so the range is read in
 * windows from now backwards (1 min, then 2, 4, ...), each window whole, until `limit` items are found, `since` is
 * reached, or the call budget runs out. A window the budget cut is dropped entirely, so what is answered has no gap:
 * every matching line from `coveredFrom` to now, newest first, at most `limit`.
 */
export async function listActivity(query: ActivityQuery & { sinceMs: number }, deps: ActivityDeps): Promise<ActivityList> {
  const until = deps.now().getTime();
  const filterPattern = buildActivityFilterPattern(query);
  const found: FilteredLogEvent[] = [];
  let calls = 0;
  let windowEnd = until;
  let size = FIRST_WINDOW_MS;
  let coveredFrom = until;
  let complete = true;
  while (windowEnd >= query.sinceMs && found.length < query.limit) {
    const windowStart = Math.max(query.sinceMs, windowEnd - size + 1);
    const window: FilteredLogEvent[] = [];
    let cut = false;
    for (const logGroupName of deps.logGroups) {
      let nextToken: string | undefined;
      do {
        if (calls === MAX_FILTER_CALLS) {
          cut = true;
          break;
        }
        calls++;
        const page = await filterPage(deps, { logGroupName, filterPattern, startTime: windowStart, endTime: windowEnd, limit: PAGE_SIZE, nextToken });
        window.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      if (cut) break;
    }
    if (cut) {
      complete = false;
      break;
    }
    found.push(...window);
    coveredFrom = windowStart;
    windowEnd = windowStart - 1;
    size *= 2;
  }
  const newestFirst = found.sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0) || (b.eventId ?? '').localeCompare(a.eventId ?? ''));
  const items = newestFirst.flatMap((event) => itemOf(event) ?? []);
  return {
    items: items.slice(0, query.limit),
    since: new Date(query.sinceMs).toISOString(),
    until: new Date(until).toISOString(),
    coveredFrom: new Date(complete ? query.sinceMs : coveredFrom).toISOString(),
    complete,
    truncated: items.length > query.limit,
  };
}

/** One page; a group not created yet (its function never ran) has no activity. */
async function filterPage(deps: ActivityDeps, input: FilterLogEventsCommandInput) {
  try {
    return await deps.logs.filterLogEvents(input);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return { events: [] };
    throw error;
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, MAX_FIELD_CHARS) : undefined);
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The item of one activity line, fields picked one by one (a line is data from a log, not trusted to be small). */
function itemOf(event: FilteredLogEvent): ActivityItem | undefined {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(event.message ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const time = new Date(event.timestamp ?? 0).toISOString();
  if (line.activity === 'task') {
    return prune<TaskActivityItem>({
      kind: 'task',
      time,
      cluster: text(line.cluster),
      service: text(line.ecsService),
      taskId: text(line.taskId),
      lastStatus: text(line.lastStatus),
      desiredStatus: text(line.desiredStatus),
      version: count(line.version),
      outcome: text(line.outcome),
      reason: text(line.reason),
      address: text(line.address),
    });
  }
  if (line.activity === 'reconcile') {
    const repairs = typeof line.repairs === 'object' && line.repairs !== null ? (line.repairs as Record<string, unknown>) : {};
    return prune<ReconcileActivityItem>({
      kind: 'reconcile',
      time,
      clusters: count(line.clusters),
      tasksSeen: count(line.tasksSeen),
      repairs: Object.fromEntries(Object.entries(repairs).slice(0, 20).flatMap(([k, v]) => (count(v) === undefined ? [] : [[k.slice(0, 40), v as number]]))),
      conflicts: count(line.conflicts),
      failedClusters: Array.isArray(line.failedClusters) ? line.failedClusters.slice(0, 50).flatMap((c) => text(c) ?? []) : undefined,
      durationMs: count(line.durationMs),
      skipped: text(line.skipped),
    });
  }
  return undefined;
}

function prune<T extends object>(item: T): T {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as T;
}
