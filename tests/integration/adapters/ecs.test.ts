/**
 * The ECS adapter, driven through the real SDK client against the local ECS (which refuses what ECS refuses:
 * DescribeServices over 10 services, DescribeTasks and DescribeClusters over 100, maxResults over 100). Each test
 * counts the calls that reached the endpoint, so a batch or a page too many or too few shows.
 */
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { createEcsApi, ECS_LIMITS, type EcsApi } from '../../../layers/adapters/ecs';
import { eventually, fargateTaskDefinition, NETWORK, startEcsHarness, type EcsHarness } from '../local/ecs/harness';

const ZERO = { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 0 };
const ECS = 'AmazonEC2ContainerServiceV20141113';
const name = (prefix: string, i: number) => `${prefix}${String(i).padStart(3, '0')}`;

describe('the ECS adapter against the local ECS', () => {
  let h: EcsHarness;
  let ecs: EcsApi;

  const calls = (operation: string) => h.endpoint.callCounts()[`${ECS}.${operation}`] ?? 0;

  beforeAll(async () => {
    h = await startEcsHarness({ delays: ZERO });
    ecs = createEcsApi(h.client);
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('app', 'app:1.0.0', { healthCheck: false })));
    await h.client.send(new CreateClusterCommand({ clusterName: 'wide' }));
    // 105 services of one task each, and one service of 250 tasks.
    for (let i = 0; i < 105; i++) {
      await h.client.send(new CreateServiceCommand({ cluster: 'wide', serviceName: name('s', i), taskDefinition: 'app', desiredCount: 1, networkConfiguration: NETWORK }));
    }
    await h.client.send(new CreateServiceCommand({ cluster: 'wide', serviceName: 'many', taskDefinition: 'app', desiredCount: 250, networkConfiguration: NETWORK }));
    await eventually(() => h.ecs.runningTasks('wide').length === 355, 20_000);
  }, 60_000);

  afterAll(() => h.close());
  beforeEach(() => h.endpoint.resetCallCounts());

  it('describes 23 services in three DescribeServices calls of at most 10, in the order asked, leaving unknown ones out', async () => {
    const names = [...Array.from({ length: 22 }, (_, i) => name('s', i)), 'no-such-service'];
    const services = await ecs.describeServices('wide', names);
    expect(services.map((s) => s.serviceName)).toEqual(names.slice(0, 22));
    expect(calls('DescribeServices')).toBe(3);
  });

  it('keeps ClusterNotFoundException, the SDK error ECS answers for an unknown cluster', async () => {
    await expect(ecs.describeServices('no-such-cluster', ['s000'])).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('lists every service of a cluster across ListServices pages', async () => {
    const arns = await ecs.listServiceArns('wide');
    expect(arns).toHaveLength(106);
    expect(calls('ListServices')).toBe(2);
  });

  it('lists 250 task ARNs in three ListTasks pages and describes them in three DescribeTasks calls', async () => {
    const arns = await ecs.listTaskArns({ cluster: 'wide', serviceName: 'many', desiredStatus: 'RUNNING' });
    expect(new Set(arns).size).toBe(250);
    expect(calls('ListTasks')).toBe(3);
    const tasks = await ecs.describeTasks('wide', arns);
    expect(tasks.map((t) => t.taskArn).sort()).toEqual([...arns].sort());
    expect(calls('DescribeTasks')).toBe(Math.ceil(250 / ECS_LIMITS.describeTasks));
  });

  it('stops listing once it has the number of ARNs asked for', async () => {
    const arns = await ecs.listTaskArns({ cluster: 'wide', desiredStatus: 'RUNNING' }, { limit: 10 });
    expect(arns).toHaveLength(10);
    expect(calls('ListTasks')).toBe(1);
  });

  it('gives a service its tasks (listed, then described) for the whole of a 250-task service', async () => {
    const tasks = await ecs.serviceTasks('wide', 'many');
    expect(tasks).toHaveLength(250);
    expect(tasks.every((t) => t.group === 'service:many')).toBe(true);
  });

  it('describes 150 cluster names in two DescribeClusters calls, unknown names left out', async () => {
    const names = ['wide', ...Array.from({ length: 149 }, (_, i) => name('none', i))];
    const clusters = await ecs.describeClusters(names);
    expect(clusters.map((c) => c.clusterName)).toEqual(['wide']);
    expect(calls('DescribeClusters')).toBe(2);
  });

  it('makes no call for an empty batch (ECS refuses an empty services or tasks list)', async () => {
    expect(await ecs.describeServices('wide', [])).toEqual([]);
    expect(await ecs.describeTasks('wide', [])).toEqual([]);
    expect(h.endpoint.callCounts()).toEqual({});
  });

  it('leaves ThrottlingException to the SDK client, whose standard retries get the answer', async () => {
    const retrying = new ECSClient({ endpoint: h.endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 8, retryMode: 'standard' });
    try {
      h.faults.set({ throttleShare: 0.5, throttleTargets: [ECS] });
      const services = await createEcsApi(retrying).describeServices('wide', Array.from({ length: 30 }, (_, i) => name('s', i)));
      expect(services).toHaveLength(30);
      expect(Object.values(h.endpoint.throttledCounts()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      h.faults.set({ throttleShare: 0 });
      retrying.destroy();
    }
  }, 60_000);
});
