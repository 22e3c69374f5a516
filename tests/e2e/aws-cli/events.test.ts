/**
 * EventBridge driven by the real AWS CLI: a rule with an event pattern, a Lambda target, PutEvents delivering
 * matching events (and only those) to the function, TestEventPattern, and the error for an invalid pattern.
 */
import { EventsProvider } from '@consul-mesh/local-cloud';
import { SERVICE_ERROR_EXIT_CODES, serviceErrorOf } from './cli';
import { startCliCloud, type CliCloud } from './local-cloud';
import { eventsPutEvents, eventsPutRule, eventsPutTargets, eventsTestPattern } from './shapes';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:mesh-on-rollout';
const PATTERN = {
  source: ['mesh.orchestrator'],
  'detail-type': ['Rollout Requested'],
  detail: { service: ['users'], desiredCount: [{ numeric: ['>', 0] }] },
};

interface Invocation {
  readonly functionArn: string;
  readonly event: unknown;
}

let cloud: CliCloud;
let events: EventsProvider;
const invocations: Invocation[] = [];

beforeAll(async () => {
  events = new EventsProvider({
    retryDelaysMs: [5, 10],
    invokeLambda: async (functionArn, event) => {
      invocations.push({ functionArn, event });
    },
  });
  cloud = await startCliCloud([events]);
});

afterAll(async () => {
  await events?.close();
  await cloud?.close();
});

/** A PutEvents entry as `--entries file://...` takes it: `Detail` is a JSON string. */
function entry(source: string, detail: Record<string, unknown>) {
  return { Source: source, DetailType: 'Rollout Requested', Detail: JSON.stringify(detail), Resources: ['arn:aws:ecs:us-east-1:000000000000:service/mesh/users'] };
}

describe('a rule with a Lambda target', () => {
  it('creates the rule from an event pattern and adds the Lambda target', async () => {
    const rule = await cloud.cli.ok(['events', 'put-rule', '--name', 'rollouts', '--event-pattern', JSON.stringify(PATTERN)]);
    expect(eventsPutRule.parse(rule).RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/rollouts');

    const targets = await cloud.cli.ok(['events', 'put-targets', '--rule', 'rollouts', '--targets', `Id=handler,Arn=${FUNCTION_ARN}`]);
    expect(eventsPutTargets.parse(targets)).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
  });

  it('delivers the matching event of a PutEvents batch to the function and reports the refused entry', async () => {
    const batch = [
      entry('mesh.orchestrator', { service: 'users', desiredCount: 3 }),
      entry('mesh.orchestrator', { service: 'orders', desiredCount: 3 }),
      // `aws.*` sources belong to AWS services: PutEvents refuses that entry alone.
      entry('aws.ecs', { service: 'users', desiredCount: 3 }),
    ];

    const output = await cloud.cli.ok(['events', 'put-events', '--entries', cloud.cli.fileRef('entries.json', JSON.stringify(batch))]);
    await events.drain();

    const { FailedEntryCount, Entries } = eventsPutEvents.parse(output);
    expect(FailedEntryCount).toBe(1);
    expect(Entries).toHaveLength(3);
    expect(Entries[0].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Entries[1].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Entries[2]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
    expect(invocations).toEqual([
      {
        functionArn: FUNCTION_ARN,
        event: {
          version: '0',
          id: Entries[0].EventId,
          'detail-type': 'Rollout Requested',
          source: 'mesh.orchestrator',
          account: '000000000000',
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          region: 'us-east-1',
          resources: ['arn:aws:ecs:us-east-1:000000000000:service/mesh/users'],
          detail: { service: 'users', desiredCount: 3 },
        },
      },
    ]);
    expect(events.onFailure()).toEqual([]);
  });
});

describe('event patterns', () => {
  const event = (service: string) =>
    JSON.stringify({
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      account: '000000000000',
      source: 'mesh.orchestrator',
      time: '2024-05-01T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'Rollout Requested',
      detail: { service, desiredCount: 2 },
    });

  it('answers test-event-pattern with Result true for a matching event and false otherwise', async () => {
    const matching = await cloud.cli.ok(['events', 'test-event-pattern', '--event-pattern', JSON.stringify(PATTERN), '--event', event('users')]);
    const other = await cloud.cli.ok(['events', 'test-event-pattern', '--event-pattern', JSON.stringify(PATTERN), '--event', event('orders')]);

    expect(eventsTestPattern.parse(matching)).toEqual({ Result: true });
    expect(eventsTestPattern.parse(other)).toEqual({ Result: false });
  });

  it('rejects a rule whose pattern is invalid with InvalidEventPatternException', async () => {
    const result = await cloud.cli.fail(['events', 'put-rule', '--name', 'broken', '--event-pattern', '{"source":"mesh.orchestrator"}']);

    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(serviceErrorOf(result)).toMatchObject({ code: 'InvalidEventPatternException', operation: 'PutRule' });
    expect(events.store.allRules().map((rule) => rule.name)).toEqual(['rollouts']);
  });
});
