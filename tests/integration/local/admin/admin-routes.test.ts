import { CreateClusterCommand, CreateServiceCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { LocalCloud } from '../../../../local/cloud';
import { startCloud } from '../../deploy/harness';

/** The fault-injection control surface over HTTP (`/_local/...` on the AWS endpoint), as the README documents it. */
describe('local cloud admin routes', () => {
  let cloud: LocalCloud;
  let ecs: ECSClient;

  beforeAll(async () => {
    cloud = await startCloud();
    ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${cloud.endpoints.aws}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('reads, merges and resets the fault settings', async () => {
    expect((await call('GET', '/_local/health')).body).toEqual({ ok: true });
    const set = await call('POST', '/_local/faults', { throttleShare: 0.3, events: { drop: 0.1 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ throttleShare: 0.3, events: { drop: 0.1, duplicate: 0 } });
    expect(cloud.faults.current.throttleShare).toBe(0.3);
    expect((await call('POST', '/_local/faults/reset')).body).toMatchObject({ throttleShare: 0, events: { drop: 0 } });
  });

  it('rejects an unknown or out-of-range setting with 400 naming it, and changes nothing', async () => {
    const bad = await call('POST', '/_local/faults', { throttleShare: 2, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(String((bad.body.error as { message: string }).message)).toMatch(/throttleShare|colour/);
    expect(cloud.faults.current.throttleShare).toBe(0);
    expect((await call('GET', '/_local/nope')).status).toBe(404);
  });

  it('takes Consul down for the time asked: connections fail, then it answers again', async () => {
    expect((await call('POST', '/_local/consul/down', { ms: 300 })).status).toBe(200);
    await expect(fetch(`${cloud.endpoints.consul}/v1/status/leader`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 350));
    expect((await fetch(`${cloud.endpoints.consul}/v1/status/leader`)).status).toBe(200);
  });

  it('lists the events matched for targets the local cloud does not deliver to (an SQS queue)', async () => {
    const events = new EventBridgeClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const queue = 'arn:aws:sqs:us-east-1:000000000000:admin-route-queue';
      await events.send(new PutRuleCommand({ Name: 'admin-route-to-queue', EventPattern: JSON.stringify({ source: ['admin.route.test'] }) }));
      const put = await events.send(new PutTargetsCommand({ Rule: 'admin-route-to-queue', Targets: [{ Id: 'queue', Arn: queue }] }));
      expect(put.FailedEntryCount).toBe(0);
      await events.send(new PutEventsCommand({ Entries: [{ Source: 'admin.route.test', DetailType: 'Test', Detail: '{"n":1}' }] }));

      const listed = await call('GET', '/_local/events/undeliverable');
      expect(listed.status).toBe(200);
      expect(listed.body.records).toEqual([expect.objectContaining({ targetArn: queue, targetId: 'queue', payload: expect.objectContaining({ detail: { n: 1 } }) })]);
    } finally {
      events.destroy();
    }
  });

  // A family of the mesh (`<mesh>-*`), so the task-event rule sends its tasks' events to the handler.
  it('stops random running tasks, which the ECS scheduler replaces', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'cluster-1' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'reference-mesh-app', containerDefinitions: [{ name: 'app', image: 'app:1.0.0', essential: true, memory: 128 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'cluster-1', serviceName: 'app', taskDefinition: 'reference-mesh-app', desiredCount: 2 }));
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 30, minDelay: 1 }, { cluster: 'cluster-1', services: ['app'] });
    const before = (await ecs.send(new ListTasksCommand({ cluster: 'cluster-1', desiredStatus: 'RUNNING' }))).taskArns ?? [];

    const stopped = await call('POST', '/_local/ecs/stop-random-tasks', { count: 1 });
    expect(stopped.status).toBe(200);
    expect(stopped.body.stopped).toHaveLength(1);
    expect(before).toContain((stopped.body.stopped as string[])[0]);

    await waitUntilServicesStable({ client: ecs, maxWaitTime: 30, minDelay: 1 }, { cluster: 'cluster-1', services: ['app'] });
    const after = (await ecs.send(new ListTasksCommand({ cluster: 'cluster-1', desiredStatus: 'RUNNING' }))).taskArns ?? [];
    expect(after).toHaveLength(2);
    expect(after).not.toContain((stopped.body.stopped as string[])[0]);
  });

  it('lists the task events whose delivery exhausted Lambda\'s retries (Consul down for all three attempts)', async () => {
    const before = ((await call('GET', '/_local/events/on-failure')).body.records as unknown[]).length;
    await call('POST', '/_local/consul/down', { ms: 2000 });
    await call('POST', '/_local/ecs/stop-random-tasks', { count: 1 });
    await cloud.settle();
    const listed = await call('GET', '/_local/events/on-failure');
    const records = listed.body.records as Array<{ requestContext: { condition: string; approximateInvokeCount: number }; responsePayload: { errorType: string } }>;
    expect(records.length).toBeGreaterThan(before);
    expect(records.at(-1)).toMatchObject({ requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, responsePayload: { errorType: 'ConsulUnavailable' } });
  });
});
