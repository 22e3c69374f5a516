import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { buildActivityFilterPattern, listActivity, MAX_FILTER_CALLS, parseActivityQuery, type ActivityDeps } from '../../../layers/api/activity';
import { compileFilterPattern } from '@consul-mesh/local-cloud';
import { call, fakeDeps, v2Event } from './support';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const TASK_GROUP = '/aws/lambda/consul-mesh-dev-taskStateChange';
const RECONCILE_GROUP = '/aws/lambda/consul-mesh-dev-reconcile';

const taskLine = (service: string, outcome: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 'INFO', message: 'activity', activity: 'task', cluster: 'cluster-1', service: 'consul-mesh', ecsService: service, taskId: 'abc', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: 4, outcome, ...extra });
const reconcileLine = () => JSON.stringify({ level: 'INFO', message: 'activity', activity: 'reconcile', clusters: 3, tasksSeen: 6, repairs: { deregistered: 1 }, durationMs: 12 });

/**
 * CloudWatch Logs as FilterLogEvents answers: one group's events oldest first, in the time range (both ends
 * inclusive), matching the pattern, `limit` per page with a nextToken. Counts the calls.
 */
function fakeLogs(groups: Record<string, Array<{ ago: number; message: string }>>) {
  const calls: Array<{ logGroupName?: string; startTime?: number; endTime?: number; filterPattern?: string }> = [];
  let id = 0;
  const matched = new Map<string, Array<{ timestamp: number; message: string; eventId: string }>>();
  const stored = Object.fromEntries(
    Object.entries(groups).map(([name, events]) => [name, events.map((e) => ({ timestamp: NOW.getTime() - e.ago, message: e.message, eventId: String(++id).padStart(8, '0') })).sort((a, b) => a.timestamp - b.timestamp)]),
  );
  const logs: ActivityDeps['logs'] = {
    async filterLogEvents(input) {
      calls.push(input);
      const events = stored[input.logGroupName ?? ''];
      if (!events) throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' });
      const matching = matched.get(`${input.logGroupName}\n${input.filterPattern}`) ?? events.filter((e) => compileFilterPattern(input.filterPattern)(e.message));
      matched.set(`${input.logGroupName}\n${input.filterPattern}`, matching);
      const all = matching.filter((e) => e.timestamp >= (input.startTime ?? 0) && e.timestamp <= (input.endTime ?? Infinity));
      const from = Number(input.nextToken ?? 0);
      const page: FilteredLogEvent[] = all.slice(from, from + (input.limit ?? 10_000));
      return { events: page, ...(from + page.length < all.length ? { nextToken: String(from + page.length) } : {}) };
    },
  };
  return { logs, calls };
}

describe('buildActivityFilterPattern', () => {
  it('selects every activity line by default, and narrows by kind, service and outcome', () => {
    expect(buildActivityFilterPattern({})).toBe('{ $.activity = * }');
    expect(buildActivityFilterPattern({ kind: 'reconcile' })).toBe('{ $.activity = "reconcile" }');
    expect(buildActivityFilterPattern({ service: 'users' })).toBe('{ $.activity = "task" && $.ecsService = "users" }');
    expect(buildActivityFilterPattern({ service: 'users', outcome: 'ignored-stale' })).toBe('{ $.activity = "task" && $.ecsService = "users" && $.outcome = "ignored-stale" }');
  });

  it('is a pattern CloudWatch Logs matches as meant (the local implementation of the documented syntax)', () => {
    const matches = compileFilterPattern(buildActivityFilterPattern({ service: 'users' }));

    expect(matches(taskLine('users', 'registered'))).toBe(true);
    expect(matches(taskLine('todos', 'registered'))).toBe(false);
    expect(matches(reconcileLine())).toBe(false);
    expect(matches('{"level":"INFO","message":"reconcile summary"}')).toBe(false);
  });
});

describe('parseActivityQuery: strict, bounded', () => {
  it('defaults to the last 15 minutes and 100 items', () => {
    expect(parseActivityQuery({}, NOW)).toMatchObject({ limit: 100, sinceMs: NOW.getTime() - 15 * 60_000 });
  });

  it.each([
    [{ limit: '0' }, 'query.limit', 'must be at least 1'],
    [{ limit: '501' }, 'query.limit', 'must be at most 500'],
    [{ limit: '1e2' }, 'query.limit', 'must be a whole number'],
    [{ since: 'yesterday' }, 'query.since', 'must be an ISO 8601 date-time'],
    [{ since: '2026-12-06T12:05:00Z' }, 'query.since', 'must not be in the future'],
    [{ since: '2026-12-05T11:59:59Z' }, 'query.since', 'must be at most 24 hours ago'],
    [{ outcome: 'exploded' }, 'query.outcome', ''],
    [{ service: 'Users!' }, 'query.service', 'must be a service name'],
    [{ kind: 'reconcile', service: 'users' }, 'query.service', 'only task activity'],
    [{ page: '2' }, 'query.page', 'unknown field'],
  ])('refuses %j naming %s', (query, path, message) => {
    expect(() => parseActivityQuery(query as Record<string, string>, NOW)).toThrow(expect.objectContaining({ name: 'InvalidInput', issues: [expect.objectContaining({ path, message: expect.stringContaining(message) })] }));
  });
});

describe('listActivity', () => {
  const query = (q: Record<string, string> = {}) => parseActivityQuery(q, NOW);

  it('merges both groups newest first, keeping only activity lines, picked field by field', async () => {
    const { logs } = fakeLogs({
      [TASK_GROUP]: [
        { ago: 50_000, message: taskLine('users', 'registered', { address: '10.0.0.5', secret: 'x' }) },
        { ago: 10_000, message: taskLine('users', 'deregistered', { reason: 'desired-stopped' }) },
        { ago: 5_000, message: 'REPORT RequestId: 1' },
      ],
      [RECONCILE_GROUP]: [{ ago: 20_000, message: reconcileLine() }],
    });

    const answer = await listActivity(query(), { logs, logGroups: [TASK_GROUP, RECONCILE_GROUP], now: () => NOW });

    expect(answer.items.map((i) => [i.kind, 'outcome' in i ? i.outcome : undefined])).toEqual([
      ['task', 'deregistered'],
      ['reconcile', undefined],
      ['task', 'registered'],
    ]);
    expect(answer.items[1]).toEqual({ kind: 'reconcile', time: '2026-12-06T11:59:40.000Z', clusters: 3, tasksSeen: 6, repairs: { deregistered: 1 }, durationMs: 12 });
    expect(answer.items[2]).not.toHaveProperty('secret');
    expect(answer).toMatchObject({ complete: true, truncated: false, since: '2026-12-06T11:45:00.000Z', coveredFrom: '2026-12-06T11:45:00.000Z', until: NOW.toISOString() });
  });

  it('stops reading back once the newest `limit` items are found, and says the older ones were left out', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => ({ ago: i * 1000 + 1, message: taskLine('users', 'registered', { version: 100 - i }) }));
    const { logs, calls } = fakeLogs({ [TASK_GROUP]: lines, [RECONCILE_GROUP]: [{ ago: 10 * 60_000, message: reconcileLine() }] });

    const answer = await listActivity(query({ limit: '5' }), { logs, logGroups: [TASK_GROUP, RECONCILE_GROUP], now: () => NOW });

    expect(answer.items.map((i) => ('version' in i ? i.version : undefined))).toEqual([100, 99, 98, 97, 96]);
    expect(answer.truncated).toBe(true);
    // The first window (the last minute) held enough: the reconcile ten minutes back was never read.
    expect(calls).toHaveLength(2);
  });

  it('answers an empty list for groups that do not exist yet (the functions never ran)', async () => {
    const { logs } = fakeLogs({});

    expect((await listActivity(query(), { logs, logGroups: [TASK_GROUP, RECONCILE_GROUP], now: () => NOW })).items).toEqual([]);
  });

  it('keeps to its FilterLogEvents budget and answers only the windows it read whole, saying how far back', async () => {
    // Over 20 pages of 1,000 lines in the last minute: the budget runs out within the first window.
    const busy = Array.from({ length: 25_000 }, (_, i) => ({ ago: (i % 50_000) + 1, message: taskLine('users', 'ignored-not-running-yet') }));
    const { logs, calls } = fakeLogs({ [TASK_GROUP]: busy, [RECONCILE_GROUP]: [] });

    const answer = await listActivity(query(), { logs, logGroups: [TASK_GROUP, RECONCILE_GROUP], now: () => NOW });

    expect(calls).toHaveLength(MAX_FILTER_CALLS);
    expect(answer).toMatchObject({ items: [], complete: false, coveredFrom: NOW.toISOString() });
  });
});

describe('GET /activity through the router', () => {
  it('answers 400 in the API error shape for a bad query, and 200 with the bounded list', async () => {
    const { logs } = fakeLogs({ [TASK_GROUP]: [{ ago: 1000, message: taskLine('users', 'ignored-stale') }] });
    const deps = fakeDeps({ now: () => NOW, activity: { logs, logGroups: [TASK_GROUP] } });

    const bad = await call(deps, v2Event({ method: 'GET', path: '/activity', query: { limit: '1000' } }));
    const ok = await call(deps, v2Event({ method: 'GET', path: '/activity', query: { service: 'users' } }));

    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'InvalidInput', message: expect.any(String), details: [{ path: 'query.limit', message: 'must be at most 500' }] } });
    expect(ok.status).toBe(200);
    expect(ok.body.items).toEqual([expect.objectContaining({ kind: 'task', service: 'users', outcome: 'ignored-stale', version: 4 })]);
  });
});
