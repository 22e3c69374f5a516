/**
 * PutEvents and publish() deliver asynchronously to the Lambda targets of matching rules, with Lambda's async
 * retry semantics (two retries, then an on-failure record); rate rules fire on a timer. Real SDK over HTTP.
 */
import {
  DisableRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { buildEvent } from '../../../../local/aws/events/envelope';
import { errorOf, functionArn, startEventsHarness, waitFor, type EventsHarness } from './harness';

const REGISTER = functionArn('register-task');
const AUDIT = functionArn('audit');

function entry(detail: Record<string, unknown>, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return { Source: 'mesh.orchestrator', DetailType: 'Rollout Status', Detail: JSON.stringify(detail), ...overrides };
}

async function ruleWithTargets(h: EventsHarness, name: string, pattern: Record<string, unknown>, arns: string[]): Promise<void> {
  await h.client.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  const targets = arns.map((arn, i) => ({ Id: `t${i}`, Arn: arn }));
  const put = await h.client.send(new PutTargetsCommand({ Rule: name, Targets: targets }));
  expect(put.FailedEntryCount).toBe(0);
}

describe('EventBridge delivery to Lambda targets (local, real SDK)', () => {
  let h: EventsHarness;

  afterEach(async () => {
    await h.close();
  });

  describe('matching', () => {
    beforeEach(async () => {
      h = await startEventsHarness();
    });

    it('records events matched for non-Lambda targets as undeliverable, and still delivers to the Lambda ones', async () => {
      const queue = 'arn:aws:sqs:us-east-1:000000000000:audit-queue';
      await ruleWithTargets(h, 'to-queue', { source: ['mesh.orchestrator'] }, [REGISTER, queue]);

      const put = await h.client.send(new PutEventsCommand({ Entries: [entry({ status: 'FAILED' })] }));
      await h.provider.drain();

      expect(h.invocations.map((i) => i.functionArn)).toEqual([REGISTER]);
      expect(h.provider.undeliverable()).toEqual([
        expect.objectContaining({
          eventId: put.Entries?.[0].EventId,
          ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/to-queue',
          targetId: 't1',
          targetArn: queue,
          payload: expect.objectContaining({ source: 'mesh.orchestrator', detail: { status: 'FAILED' } }),
        }),
      ]);
    });

    it('invokes the targets of matching rules with the AWS event envelope, and not the others', async () => {
      await ruleWithTargets(h, 'failed-rollouts', { source: ['mesh.orchestrator'], detail: { status: ['FAILED', 'ROLLED_BACK'] } }, [REGISTER, AUDIT]);
      await ruleWithTargets(h, 'succeeded-rollouts', { source: ['mesh.orchestrator'], detail: { status: ['SUCCEEDED'] } }, [functionArn('notify')]);

      const put = await h.client.send(
        new PutEventsCommand({ Entries: [entry({ status: 'FAILED', service: 'users' }, { Resources: ['arn:aws:ecs:us-east-1:000000000000:service/users'] })] }),
      );
      await h.provider.drain();

      expect(put.FailedEntryCount).toBe(0);
      const eventId = put.Entries?.[0].EventId;
      expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(h.invocations.map((i) => i.functionArn).sort()).toEqual([AUDIT, REGISTER]);
      const delivered = h.invocations[0].event;
      expect(delivered).toEqual({
        version: '0',
        id: eventId,
        'detail-type': 'Rollout Status',
        source: 'mesh.orchestrator',
        account: '000000000000',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        region: 'us-east-1',
        resources: ['arn:aws:ecs:us-east-1:000000000000:service/users'],
        detail: { status: 'FAILED', service: 'users' },
      });
    });

    it('does not invoke anything for an event no rule matches, nor for a disabled rule', async () => {
      await ruleWithTargets(h, 'failed-rollouts', { detail: { status: ['FAILED'] } }, [REGISTER]);
      await h.client.send(new PutEventsCommand({ Entries: [entry({ status: 'SUCCEEDED' })] }));
      await h.client.send(new DisableRuleCommand({ Name: 'failed-rollouts' }));
      await h.client.send(new PutEventsCommand({ Entries: [entry({ status: 'FAILED' })] }));
      await h.provider.drain();
      expect(h.invocations).toEqual([]);
    });

    it('answers PutEvents before delivering (the function is still running when the answer arrives)', async () => {
      await ruleWithTargets(h, 'all', { source: ['mesh.orchestrator'] }, [REGISTER]);
      let finish!: () => void;
      const running = new Promise<void>((resolve) => (finish = resolve));
      h.behave(() => running);

      const put = await h.client.send(new PutEventsCommand({ Entries: [entry({ status: 'FAILED' })] }));
      expect(put.FailedEntryCount).toBe(0);
      await waitFor(() => h.invocations.length === 1);
      let drained = false;
      const drain = h.provider.drain().then(() => (drained = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(drained).toBe(false);
      finish();
      await drain;
      expect(drained).toBe(true);
    });

    it('reports invalid entries as failed entries and puts the valid ones', async () => {
      await ruleWithTargets(h, 'all', { source: ['mesh.orchestrator'] }, [REGISTER]);
      const put = await h.client.send(
        new PutEventsCommand({
          Entries: [
            { DetailType: 'x', Detail: '{}' },
            { Source: 'mesh.orchestrator', Detail: '{}' },
            { Source: 'mesh.orchestrator', DetailType: 'x' },
            { Source: 'mesh.orchestrator', DetailType: 'x', Detail: '{not json' },
            { Source: 'aws.ecs', DetailType: 'x', Detail: '{}' },
            entry({ ok: true }),
          ],
        }),
      );
      expect(put.FailedEntryCount).toBe(5);
      expect(put.Entries).toEqual([
        { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
        { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
        { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
        { EventId: expect.any(String) },
      ]);
      await h.provider.drain();
      expect(h.invocations).toHaveLength(1);
      expect(h.invocations[0].event.detail).toEqual({ ok: true });
    });

    it('refuses more than 10 entries with ValidationException', async () => {
      const entries = Array.from({ length: 11 }, (_, i) => entry({ i }));
      expect(await errorOf(h.client.send(new PutEventsCommand({ Entries: entries })))).toMatchObject({ name: 'ValidationException', status: 400 });
    });

    it('keeps the Time of an entry', async () => {
      await ruleWithTargets(h, 'all', { source: ['mesh.orchestrator'] }, [REGISTER]);
      await h.client.send(new PutEventsCommand({ Entries: [entry({}, { Time: new Date('2024-05-01T10:20:30Z') })] }));
      await h.provider.drain();
      expect(h.invocations[0].event.time).toBe('2024-05-01T10:20:30Z');
    });

    it('sends a target its constant Input or the part of the event its InputPath selects', async () => {
      await h.client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source": ["mesh.orchestrator"]}' }));
      await h.client.send(
        new PutTargetsCommand({
          Rule: 'r',
          Targets: [
            { Id: 'constant', Arn: functionArn('constant'), Input: '{"reconcile": "all"}' },
            { Id: 'detail', Arn: functionArn('detail'), InputPath: '$.detail' },
          ],
        }),
      );
      await h.client.send(new PutEventsCommand({ Entries: [entry({ status: 'FAILED' })] }));
      await h.provider.drain();
      const byArn = Object.fromEntries(h.invocations.map((i) => [i.functionArn, i.event]));
      expect(byArn[functionArn('constant')]).toEqual({ reconcile: 'all' });
      expect(byArn[functionArn('detail')]).toEqual({ status: 'FAILED' });
    });

    it('publish() puts an AWS service event (ECS task state change) through the same matching and delivery', async () => {
      await ruleWithTargets(
        h,
        'task-state',
        { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { clusterArn: [{ suffix: ':cluster/cluster-1' }], lastStatus: ['RUNNING'] } },
        [REGISTER],
      );
      const running = buildEvent({
        source: 'aws.ecs',
        detailType: 'ECS Task State Change',
        account: '000000000000',
        region: 'us-east-1',
        resources: ['arn:aws:ecs:us-east-1:000000000000:task/cluster-1/abc'],
        detail: { clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/cluster-1', lastStatus: 'RUNNING', version: 3 },
      });
      const stopped = buildEvent({
        source: 'aws.ecs',
        detailType: 'ECS Task State Change',
        account: '000000000000',
        region: 'us-east-1',
        detail: { clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/cluster-1', lastStatus: 'STOPPED' },
      });
      const otherRegion = { ...running, id: 'other-region', region: 'eu-west-1' };

      expect(h.provider.publish(running)).toBe(running.id);
      h.provider.publish(stopped);
      h.provider.publish(otherRegion);
      await h.provider.drain();

      expect(h.invocations.map((i) => i.event.id)).toEqual([running.id]);
      expect(h.invocations[0].event).toEqual(running);
    });
  });

  describe('Lambda async retries', () => {
    beforeEach(async () => {
      h = await startEventsHarness({ retryDelaysMs: [20, 40] });
    });

    it('retries a failing function twice, then lists the event in the on-failure records', async () => {
      await ruleWithTargets(h, 'all', { source: ['mesh.orchestrator'] }, [REGISTER]);
      h.behave(() => {
        throw Object.assign(new Error('Consul is down'), { name: 'ConsulUnavailable' });
      });

      const put = await h.client.send(new PutEventsCommand({ Entries: [entry({ status: 'FAILED' })] }));
      await h.provider.drain();

      expect(h.invocations).toHaveLength(3);
      const [first, second, third] = h.invocations.map((i) => i.at);
      // AWS waits 1 then 2 minutes; here the configured 20 ms then 40 ms.
      expect(second - first).toBeGreaterThanOrEqual(18);
      expect(third - second).toBeGreaterThanOrEqual(38);
      expect(h.provider.onFailure()).toEqual([
        {
          version: '1.0',
          timestamp: expect.any(String),
          requestContext: {
            requestId: expect.any(String),
            functionArn: `${REGISTER}:$LATEST`,
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: expect.objectContaining({ id: put.Entries?.[0].EventId, detail: { status: 'FAILED' } }),
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: 'ConsulUnavailable', errorMessage: 'Consul is down' },
        },
      ]);

      h.provider.clearOnFailure();
      expect(h.provider.onFailure()).toEqual([]);
    });

    it('stops retrying once the function succeeds, and writes no on-failure record', async () => {
      await ruleWithTargets(h, 'all', { source: ['mesh.orchestrator'] }, [REGISTER]);
      h.behave(() => {
        if (h.invocations.length === 1) throw new Error('transient');
      });
      await h.client.send(new PutEventsCommand({ Entries: [entry({})] }));
      await h.provider.drain();
      expect(h.invocations).toHaveLength(2);
      expect(h.provider.onFailure()).toEqual([]);
    });

    it('retries each target on its own: one failing target does not affect the other', async () => {
      await ruleWithTargets(h, 'all', { source: ['mesh.orchestrator'] }, [REGISTER, AUDIT]);
      h.behave((arn) => {
        if (arn === AUDIT) throw new Error('audit broken');
      });
      await h.client.send(new PutEventsCommand({ Entries: [entry({})] }));
      await h.provider.drain();
      expect(h.invocations.filter((i) => i.functionArn === REGISTER)).toHaveLength(1);
      expect(h.invocations.filter((i) => i.functionArn === AUDIT)).toHaveLength(3);
      expect(h.provider.onFailure().map((r) => r.requestContext.functionArn)).toEqual([`${AUDIT}:$LATEST`]);
    });
  });

  describe('schedule rules', () => {
    beforeEach(async () => {
      // rate(1 minute) every 30 ms.
      h = await startEventsHarness({ scheduleScale: 0.0005 });
    });

    it('fires a rate rule on its timer with a Scheduled Event, and stops when disabled', async () => {
      const { RuleArn } = await h.client.send(new PutRuleCommand({ Name: 'reconcile', ScheduleExpression: 'rate(1 minute)' }));
      await h.client.send(new PutTargetsCommand({ Rule: 'reconcile', Targets: [{ Id: 'fn', Arn: functionArn('reconcile') }] }));

      await waitFor(() => h.invocations.length >= 2);
      expect(h.invocations[0].event).toEqual({
        version: '0',
        id: expect.any(String),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: expect.any(String),
        region: 'us-east-1',
        resources: [RuleArn],
        detail: {},
      });
      expect(h.invocations[0].event.id).not.toBe(h.invocations[1].event.id);

      await h.client.send(new DisableRuleCommand({ Name: 'reconcile' }));
      await h.provider.drain();
      const count = h.invocations.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(h.invocations.length).toBe(count);
    });
  });
});
