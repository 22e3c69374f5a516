/**
 * CloudWatch Logs driven by the real AWS CLI: log groups and streams, PutLogEvents, FilterLogEvents with JSON filter
 * patterns (what GET /activity sends), its time range and pagination, and the errors the CLI reports.
 */
import { z } from 'zod';
import { LogsProvider } from '@consul-mesh/local-cloud';
import { SERVICE_ERROR_EXIT_CODES, serviceErrorOf } from './cli';
import { startCliCloud, type CliCloud } from './local-cloud';

const GROUP = '/aws/lambda/consul-mesh-local-taskStateChange';
const STREAM = '2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef';
const filtered = z.object({
  events: z.array(z.object({ logStreamName: z.string(), timestamp: z.number(), message: z.string(), ingestionTime: z.number(), eventId: z.string() })),
});

let cloud: CliCloud;
const base = Date.now() - 60_000;
const lines = [
  { timestamp: base, message: JSON.stringify({ level: 'INFO', message: 'activity', activity: 'task', service: 'users', outcome: 'registered', version: 4 }) },
  { timestamp: base + 1000, message: 'START RequestId: 1 Version: $LATEST' },
  { timestamp: base + 2000, message: JSON.stringify({ level: 'INFO', message: 'activity', activity: 'task', service: 'todos', outcome: 'ignored-stale', version: 3 }) },
  { timestamp: base + 3000, message: JSON.stringify({ level: 'DEBUG', message: 'spec read' }) },
  { timestamp: base + 4000, message: JSON.stringify({ level: 'INFO', message: 'activity', activity: 'reconcile', clusters: 3, repairs: { deregistered: 1 } }) },
];

beforeAll(async () => {
  cloud = await startCliCloud([new LogsProvider()]);
});

afterAll(async () => {
  await cloud?.close();
});

const filter = async (...args: string[]) => filtered.parse(await cloud.cli.ok(['logs', 'filter-log-events', '--log-group-name', GROUP, ...args])).events;

describe('log groups, streams and events', () => {
  it('creates a log group and describes it with its ARNs and retention', async () => {
    await cloud.cli.ok(['logs', 'create-log-group', '--log-group-name', GROUP]);
    await cloud.cli.ok(['logs', 'put-retention-policy', '--log-group-name', GROUP, '--retention-in-days', '30']);

    const described = z.object({ logGroups: z.array(z.record(z.string(), z.unknown())) }).parse(await cloud.cli.ok(['logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/lambda/']));
    expect(described.logGroups).toEqual([
      expect.objectContaining({ logGroupName: GROUP, retentionInDays: 30, arn: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:*`, creationTime: expect.any(Number) }),
    ]);
  });

  it('refuses a second group of the same name: ResourceAlreadyExistsException', async () => {
    const result = await cloud.cli.fail(['logs', 'create-log-group', '--log-group-name', GROUP]);

    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(serviceErrorOf(result)).toMatchObject({ code: 'ResourceAlreadyExistsException', operation: 'CreateLogGroup' });
  });

  it('puts events into a stream, refusing a stream that does not exist: ResourceNotFoundException', async () => {
    const missing = await cloud.cli.fail(['logs', 'put-log-events', '--log-group-name', GROUP, '--log-stream-name', STREAM, '--log-events', cloud.cli.fileRef('events.json', JSON.stringify(lines))]);
    expect(serviceErrorOf(missing)).toMatchObject({ code: 'ResourceNotFoundException', operation: 'PutLogEvents' });

    await cloud.cli.ok(['logs', 'create-log-stream', '--log-group-name', GROUP, '--log-stream-name', STREAM]);
    await cloud.cli.ok(['logs', 'put-log-events', '--log-group-name', GROUP, '--log-stream-name', STREAM, '--log-events', cloud.cli.fileRef('events.json', JSON.stringify(lines))]);

    expect((await filter()).map((e) => e.message)).toEqual(lines.map((l) => l.message));
  });

  it('refuses events out of chronological order in one batch: InvalidParameterException', async () => {
    const reversed = [...lines].reverse();
    const result = await cloud.cli.fail(['logs', 'put-log-events', '--log-group-name', GROUP, '--log-stream-name', STREAM, '--log-events', cloud.cli.fileRef('reversed.json', JSON.stringify(reversed))]);

    expect(serviceErrorOf(result)).toMatchObject({ code: 'InvalidParameterException', operation: 'PutLogEvents' });
  });
});

describe('FilterLogEvents', () => {
  it('keeps the JSON events that have the field, in time order, with their stream and ids', async () => {
    const events = await filter('--filter-pattern', '{ $.activity = * }');

    expect(events.map((e) => JSON.parse(e.message).activity)).toEqual(['task', 'task', 'reconcile']);
    expect(events.map((e) => e.timestamp)).toEqual([base, base + 2000, base + 4000]);
    expect(events.every((e) => e.logStreamName === STREAM && /^\d{56}$/.test(e.eventId))).toBe(true);
  });

  it('combines string, number and && / || comparisons', async () => {
    const stale = await filter('--filter-pattern', '{ $.activity = "task" && ($.outcome = "ignored-*" || $.version > 3) }');
    const users = await filter('--filter-pattern', '{ $.service != "todos" && $.activity = "task" }');

    expect(stale.map((e) => JSON.parse(e.message).outcome)).toEqual(['registered', 'ignored-stale']);
    expect(users.map((e) => JSON.parse(e.message).service)).toEqual(['users']);
  });

  it('limits the time range (both ends inclusive) and matches plain terms in unstructured lines', async () => {
    const window = await filter('--start-time', String(base + 1000), '--end-time', String(base + 3000));
    const terms = await filter('--filter-pattern', 'START RequestId');

    expect(window.map((e) => e.timestamp)).toEqual([base + 1000, base + 2000, base + 3000]);
    expect(terms.map((e) => e.message)).toEqual(['START RequestId: 1 Version: $LATEST']);
  });

  it('pages with nextToken: the CLI follows it and returns every event once', async () => {
    const paged = z.object({ events: z.array(z.object({ eventId: z.string() })), nextToken: z.string().optional() });
    const first = paged.parse(await cloud.cli.ok(['logs', 'filter-log-events', '--log-group-name', GROUP, '--limit', '2', '--no-paginate']));
    const all = await filter('--page-size', '2');

    expect(first.events).toHaveLength(2);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(new Set(all.map((e) => e.eventId)).size).toBe(lines.length);
  });

  it('refuses a pattern it cannot read, and a group that does not exist', async () => {
    const badPattern = await cloud.cli.fail(['logs', 'filter-log-events', '--log-group-name', GROUP, '--filter-pattern', '{ $.activity = }']);
    const noGroup = await cloud.cli.fail(['logs', 'filter-log-events', '--log-group-name', '/aws/lambda/nope']);

    expect(serviceErrorOf(badPattern)).toMatchObject({ code: 'InvalidParameterException', operation: 'FilterLogEvents' });
    expect(serviceErrorOf(noGroup)).toMatchObject({ code: 'ResourceNotFoundException', operation: 'FilterLogEvents', message: 'The specified log group does not exist.' });
  });
});
