/**
 * The rule and target API of the emulated EventBridge, driven by the real SDK over HTTP.
 */
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { compileEventPattern } from '../../../../local/aws/events/pattern';
import { errorOf, functionArn, startEventsHarness, type EventsHarness } from './harness';

const TASK_PATTERN = JSON.stringify({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'] });

describe('EventBridge rules API (local, real SDK)', () => {
  let h: EventsHarness;

  beforeEach(async () => {
    h = await startEventsHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  it('PutRule returns the rule ARN and DescribeRule returns what was put', async () => {
    const put = await h.client.send(new PutRuleCommand({ Name: 'task-changes', EventPattern: TASK_PATTERN, Description: 'tasks' }));
    expect(put.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/task-changes');

    const described = await h.client.send(new DescribeRuleCommand({ Name: 'task-changes' }));
    expect(described).toMatchObject({
      Name: 'task-changes',
      Arn: put.RuleArn,
      EventPattern: TASK_PATTERN,
      State: 'ENABLED',
      Description: 'tasks',
      EventBusName: 'default',
    });
  });

  it('accepts rate and cron schedules, and a DISABLED state', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED' }));
    await h.client.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)', EventBusName: 'default' }));
    expect(await h.client.send(new DescribeRuleCommand({ Name: 'every-5' }))).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED' });
    expect(await h.client.send(new DescribeRuleCommand({ Name: 'nightly' }))).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', State: 'ENABLED' });
  });

  it('rejects an invalid event pattern with InvalidEventPatternException', async () => {
    const error = await errorOf(h.client.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "aws.ecs"}' })));
    expect(error).toEqual({
      name: 'InvalidEventPatternException',
      message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
      status: 400,
    });
    const wildcard = await errorOf(h.client.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"a": [{"wildcard": "x**"}]}' })));
    expect(wildcard.message).toBe('Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2');
    expect(await errorOf(h.client.send(new DescribeRuleCommand({ Name: 'bad' })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('rejects a rule with neither pattern nor schedule, and an invalid schedule, with ValidationException', async () => {
    expect(await errorOf(h.client.send(new PutRuleCommand({ Name: 'empty' })))).toEqual({
      name: 'ValidationException',
      message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      status: 400,
    });
    for (const expression of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'cron(0 3 * * * *)', 'every day']) {
      expect(await errorOf(h.client.send(new PutRuleCommand({ Name: 'bad-schedule', ScheduleExpression: expression })))).toMatchObject({
        name: 'ValidationException',
        message: 'Parameter ScheduleExpression is not valid.',
      });
    }
  });

  it('rejects other event buses and invalid rule names', async () => {
    expect(await errorOf(h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN, EventBusName: 'custom' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus custom does not exist.',
    });
    expect(await errorOf(h.client.send(new PutRuleCommand({ Name: 'bad name', EventPattern: TASK_PATTERN })))).toMatchObject({
      name: 'ValidationException',
    });
  });

  it('ListRules filters by NamePrefix and paginates with NextToken', async () => {
    for (const name of ['mesh-c', 'mesh-a', 'other', 'mesh-b']) {
      await h.client.send(new PutRuleCommand({ Name: name, EventPattern: TASK_PATTERN }));
    }
    const first = await h.client.send(new ListRulesCommand({ NamePrefix: 'mesh-', Limit: 2 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(['mesh-a', 'mesh-b']);
    expect(first.NextToken).toBeDefined();
    const second = await h.client.send(new ListRulesCommand({ NamePrefix: 'mesh-', Limit: 2, NextToken: first.NextToken }));
    expect(second.Rules?.map((r) => r.Name)).toEqual(['mesh-c']);
    expect(second.NextToken).toBeUndefined();
    const all = await h.client.send(new ListRulesCommand({}));
    expect(all.Rules).toHaveLength(4);
    expect(await errorOf(h.client.send(new ListRulesCommand({ NextToken: 'garbage' })))).toMatchObject({ name: 'ValidationException' });
  });

  it('EnableRule and DisableRule switch the state; unknown rules are ResourceNotFoundException', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN }));
    await h.client.send(new DisableRuleCommand({ Name: 'r' }));
    expect((await h.client.send(new DescribeRuleCommand({ Name: 'r' }))).State).toBe('DISABLED');
    await h.client.send(new EnableRuleCommand({ Name: 'r' }));
    expect((await h.client.send(new DescribeRuleCommand({ Name: 'r' }))).State).toBe('ENABLED');
    expect(await errorOf(h.client.send(new EnableRuleCommand({ Name: 'missing' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Rule missing does not exist on EventBus default.',
      status: 400,
    });
  });

  it('PutTargets accepts Lambda and non-Lambda targets (SQS, SNS, Step Functions) as AWS does, and ListTargetsByRule pages them', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN }));
    const queue = 'arn:aws:sqs:us-east-1:000000000000:dead-letters';
    const topic = 'arn:aws:sns:us-east-1:000000000000:alerts';
    const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:on-task';
    const put = await h.client.send(
      new PutTargetsCommand({
        Rule: 'r',
        Targets: [
          { Id: 'fn-1', Arn: functionArn('register') },
          { Id: 'fn-2', Arn: functionArn('audit'), Input: '{"constant":true}' },
          { Id: 'queue', Arn: queue },
          { Id: 'topic', Arn: topic },
          { Id: 'machine', Arn: machine, RoleArn: 'arn:aws:iam::000000000000:role/events-to-sfn' },
        ],
      }),
    );
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });

    const page1 = await h.client.send(new ListTargetsByRuleCommand({ Rule: 'r', Limit: 1 }));
    expect(page1.Targets).toEqual([{ Id: 'fn-1', Arn: functionArn('register') }]);
    const rest = await h.client.send(new ListTargetsByRuleCommand({ Rule: 'r', NextToken: page1.NextToken }));
    expect(rest.Targets).toEqual([
      { Id: 'fn-2', Arn: functionArn('audit'), Input: '{"constant":true}' },
      { Id: 'queue', Arn: queue },
      { Id: 'topic', Arn: topic },
      { Id: 'machine', Arn: machine, RoleArn: 'arn:aws:iam::000000000000:role/events-to-sfn' },
    ]);
    expect(rest.NextToken).toBeUndefined();
  });

  it('validates the request before looking up the rule or the bus, as AWS orders its errors', async () => {
    const badTargets = errorOf(h.client.send(new PutTargetsCommand({ Rule: 'missing', Targets: [{ Id: 'x', Arn: 'not-an-arn' }] })));
    expect(await badTargets).toMatchObject({ name: 'ValidationException' });
    expect(await errorOf(h.client.send(new ListTargetsByRuleCommand({ Rule: 'missing', Limit: 0 })))).toEqual({
      name: 'ValidationException',
      message: "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100",
      status: 400,
    });
    expect(await errorOf(h.client.send(new RemoveTargetsCommand({ Rule: 'missing', Ids: [] })))).toMatchObject({ name: 'ValidationException' });
    expect(
      await errorOf(h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN, EventBusName: 'custom', State: 'ON' as never }))),
    ).toMatchObject({ name: 'ValidationException' });
    expect(await errorOf(h.client.send(new ListRulesCommand({ EventBusName: 'custom', NextToken: 'garbage' })))).toMatchObject({
      name: 'ValidationException',
    });
    expect(await errorOf(h.client.send(new PutTargetsCommand({ Rule: 'missing', Targets: [{ Id: 'x', Arn: functionArn('f') }] })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('PutTargets rejects malformed ARNs, and more than 5 targets per rule', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN }));
    expect(await errorOf(h.client.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'x', Arn: 'not-an-arn' }] })))).toEqual({
      name: 'ValidationException',
      message: 'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.',
      status: 400,
    });
    const five = [1, 2, 3, 4, 5].map((i) => ({ Id: `t${i}`, Arn: functionArn(`f${i}`) }));
    expect((await h.client.send(new PutTargetsCommand({ Rule: 'r', Targets: five }))).FailedEntryCount).toBe(0);
    // Replacing an existing target does not count as a new one.
    expect((await h.client.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't1', Arn: functionArn('other') }] }))).FailedEntryCount).toBe(0);
    expect(await errorOf(h.client.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't6', Arn: functionArn('f6') }] })))).toMatchObject({
      name: 'LimitExceededException',
    });
    expect(await errorOf(h.client.send(new PutTargetsCommand({ Rule: 'missing', Targets: five.slice(0, 1) })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('DeleteRule is refused while targets remain, and succeeds once they are removed', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN }));
    await h.client.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'fn', Arn: functionArn('register') }] }));
    expect(await errorOf(h.client.send(new DeleteRuleCommand({ Name: 'r' })))).toEqual({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
      status: 400,
    });

    const removed = await h.client.send(new RemoveTargetsCommand({ Rule: 'r', Ids: ['fn', 'never-added'] }));
    expect(removed).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    await h.client.send(new DeleteRuleCommand({ Name: 'r' }));
    expect(await errorOf(h.client.send(new DescribeRuleCommand({ Name: 'r' })))).toMatchObject({ name: 'ResourceNotFoundException' });
    // Deleting a rule that does not exist is not an error.
    await h.client.send(new DeleteRuleCommand({ Name: 'r' }));
  });

  it('PutRule on an existing rule replaces its definition and keeps its targets', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: TASK_PATTERN, Description: 'old' }));
    await h.client.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'fn', Arn: functionArn('register') }] }));
    await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source": ["my.app"]}' }));
    const described = await h.client.send(new DescribeRuleCommand({ Name: 'r' }));
    expect(described.EventPattern).toBe('{"source": ["my.app"]}');
    expect(described.Description).toBeUndefined();
    expect((await h.client.send(new ListTargetsByRuleCommand({ Rule: 'r' }))).Targets).toHaveLength(1);
  });
});

describe('TestEventPattern (local, real SDK)', () => {
  let h: EventsHarness;

  beforeAll(async () => {
    h = await startEventsHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  const event = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-abcd1111', state: 'pending', 'c-count': 5, ip: '10.0.0.7', file: 'dir/a.PNG' },
  };

  const cases: Array<[Record<string, unknown>, boolean]> = [
    [{ source: ['aws.ec2'] }, true],
    [{ source: ['aws.ecs'] }, false],
    [{ detail: { state: [{ exists: true }] } }, true],
    [{ detail: { 'c-count': [{ exists: false }] } }, false],
    [{ detail: { state: [{ 'anything-but': ['pending', 'running'] }] } }, false],
    [{ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    [{ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, true],
    [{ detail: { ip: [{ cidr: '10.0.1.0/24' }] } }, false],
    [{ detail: { file: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
    [{ detail: { file: [{ wildcard: 'dir/*.png' }] } }, false],
    [{ $or: [{ source: ['aws.s3'] }, { detail: { state: [{ prefix: 'pend' }] } }] }, true],
    [{ resources: [{ prefix: 'arn:aws:ec2:us-east-1:' }], 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true],
  ];

  it.each(cases.map(([p, expected]) => [JSON.stringify(p), expected] as const))('answers %s with %s, as the matcher does', async (pattern, expected) => {
    const { Result } = await h.client.send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) }));
    expect(Result).toBe(expected);
    expect(compileEventPattern(pattern).matches(event)).toBe(expected);
  });

  it('rejects an invalid pattern with InvalidEventPatternException and an invalid event with ValidationException', async () => {
    expect(await errorOf(h.client.send(new TestEventPatternCommand({ EventPattern: '{"resources": []}', Event: JSON.stringify(event) })))).toEqual({
      name: 'InvalidEventPatternException',
      message: 'Event pattern is not valid. Reason: Empty arrays are not allowed',
      status: 400,
    });
    expect(await errorOf(h.client.send(new TestEventPatternCommand({ EventPattern: '{"source": ["x"]}', Event: '{"source": "x"}' })))).toEqual({
      name: 'ValidationException',
      message: 'Parameter Event is not valid.',
      status: 400,
    });
  });
});
