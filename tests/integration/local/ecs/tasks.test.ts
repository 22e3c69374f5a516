/**
 * Standalone tasks of the ECS simulation: lifecycle, network attachment, failing images, task events,
 * ListTasks pagination and DescribeTasks limits — through the real ECS client.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { eventually, fargateTaskDefinition, NETWORK, startEcsHarness, waitStable, type EcsHarness } from './harness';
import sampleEvent from './fixtures/ecs-task-state-change.sample.json';

/** A real-shaped event of a RUNNING Fargate task (the shape consumers are written against). */
const sample = sampleEvent as { detail: Record<string, unknown> } & Record<string, unknown>;

describe('ECS simulation: tasks', () => {
  let h: EcsHarness;
  const cluster = 'tasks';

  beforeAll(async () => {
    h = await startEcsHarness();
    await h.client.send(new CreateClusterCommand({ clusterName: cluster }));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('web', 'registry.local:5000/web:1.2.3')));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('crash', 'registry.local:5000/web:fail-crash', { healthCheck: false })));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('sick', 'web:unhealthy-probe')));
  });
  afterAll(() => h.close());

  async function describe1(taskArn: string): Promise<Task> {
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn], include: ['TAGS'] }));
    return tasks![0];
  }

  it('runs a task through PROVISIONING → RUNNING with an ENI, a private IP and a healthy container', async () => {
    const run = await h.client.send(
      new RunTaskCommand({ cluster, taskDefinition: 'web', networkConfiguration: NETWORK, tags: [{ key: 'purpose', value: 'test' }] }),
    );
    const started = run.tasks![0];
    expect(started.lastStatus).toBe('PROVISIONING');
    expect(started.desiredStatus).toBe('RUNNING');
    expect(started.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/tasks\/[0-9a-f]{32}$/);
    expect(started.group).toBe('family:web');
    expect(started.healthStatus).toBe('UNKNOWN');

    const healthy = await eventually(async () => {
      const task = await describe1(started.taskArn!);
      return task.healthStatus === 'HEALTHY' && task;
    });
    expect(healthy.lastStatus).toBe('RUNNING');
    expect(healthy.connectivity).toBe('CONNECTED');
    expect(healthy.startedAt).toBeInstanceOf(Date);
    expect(healthy.tags).toEqual([{ key: 'purpose', value: 'test' }]);
    const details = Object.fromEntries(healthy.attachments![0].details!.map((d) => [d.name, d.value]));
    expect(details.subnetId).toMatch(/^subnet-0(aaa1111|bbb2222)$/);
    expect(details.networkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(details.macAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(details.privateIPv4Address).toMatch(/^10\.0\.\d{1,3}\.\d{1,3}$/);
    expect(healthy.containers![0]).toMatchObject({
      name: 'web',
      image: 'registry.local:5000/web:1.2.3',
      lastStatus: 'RUNNING',
      healthStatus: 'HEALTHY',
      networkInterfaces: [{ privateIpv4Address: details.privateIPv4Address }],
    });
    expect(healthy.version).toBeGreaterThan(started.version!);
  });

  it('stops a task on StopTask with stopCode UserInitiated and records its timestamps', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'web', networkConfiguration: NETWORK }));
    const arn = run.tasks![0].taskArn!;
    await eventually(async () => (await describe1(arn)).lastStatus === 'RUNNING');
    const stopping = await h.client.send(new StopTaskCommand({ cluster, task: arn, reason: 'maintenance' }));
    expect(stopping.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'maintenance' });
    const stopped = await eventually(async () => {
      const task = await describe1(arn);
      return task.lastStatus === 'STOPPED' && task;
    });
    expect(stopped.stoppingAt).toBeInstanceOf(Date);
    expect(stopped.stoppedAt!.getTime()).toBeGreaterThanOrEqual(stopped.stoppingAt!.getTime());
    expect(stopped.executionStoppedAt).toBeInstanceOf(Date);
    expect(stopped.containers![0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(stopped.attachments![0].status).toBe('DELETED');
    await expect(h.client.send(new StopTaskCommand({ cluster, task: 'f'.repeat(32) }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('stops a task whose image tag starts with fail- as an exited essential container (exit code 1)', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'crash', networkConfiguration: NETWORK }));
    const stopped = await eventually(async () => {
      const task = await describe1(run.tasks![0].taskArn!);
      return task.lastStatus === 'STOPPED' && task;
    });
    expect(stopped.stopCode).toBe('EssentialContainerExited');
    expect(stopped.stoppedReason).toBe('Essential container in task exited');
    expect(stopped.containers![0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 1 });
    expect(stopped.startedAt).toBeInstanceOf(Date);
  });

  it('reports an unhealthy- image as UNHEALTHY and keeps a standalone task running', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'sick', networkConfiguration: NETWORK }));
    const sick = await eventually(async () => {
      const task = await describe1(run.tasks![0].taskArn!);
      return task.healthStatus === 'UNHEALTHY' && task;
    });
    expect(sick.lastStatus).toBe('RUNNING');
    expect(sick.desiredStatus).toBe('RUNNING');
    expect(sick.containers![0].healthStatus).toBe('UNHEALTHY');
  });

  it('applies injected start failures like a crashing image', async () => {
    h.faults.set({ failTaskStarts: 1 });
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'web', networkConfiguration: NETWORK }));
    h.faults.reset();
    const stopped = await eventually(async () => {
      const task = await describe1(run.tasks![0].taskArn!);
      return task.lastStatus === 'STOPPED' && task;
    });
    expect(stopped.stopCode).toBe('EssentialContainerExited');
    expect(stopped.containers![0].exitCode).toBe(1);
  });

  it('emits an ECS Task State Change event of the real shape for every transition, with increasing detail.version', async () => {
    await h.client.send(new CreateServiceCommand({ cluster, serviceName: 'evented', taskDefinition: 'web', desiredCount: 1, networkConfiguration: NETWORK }));
    await waitStable(h.client, cluster, ['evented']);
    const { taskArns } = await h.client.send(new ListTasksCommand({ cluster, serviceName: 'evented' }));
    const arn = taskArns![0];
    await eventually(async () => (await describe1(arn)).healthStatus === 'HEALTHY');
    const running = h.events.filter((e) => e.resources[0] === arn).at(-1)!;

    // The envelope and every detail key of the real sample are present (new fields may appear).
    expect(Object.keys(running).sort()).toEqual(Object.keys(sample).sort());
    expect(running).toMatchObject({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', account: '000000000000', region: 'us-east-1', version: '0' });
    expect(running.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const key of Object.keys(sample.detail)) expect(running.detail).toHaveProperty(key);
    expect(running.detail).toMatchObject({ group: 'service:evented', lastStatus: 'RUNNING', healthStatus: 'HEALTHY', startedBy: expect.stringMatching(/^ecs-svc\/\d{19}$/) });
    expect(running.detail.createdAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
    const detail = running.detail as unknown as { attachments: Array<{ type: string; details: Array<{ name: string; value: string }> }>; containers: Array<{ networkInterfaces: Array<{ privateIpv4Address: string }> }> };
    expect(detail.attachments[0].type).toBe('eni');
    const ip = detail.attachments[0].details.find((d) => d.name === 'privateIPv4Address')!.value;
    expect(detail.containers[0].networkInterfaces[0].privateIpv4Address).toBe(ip);

    await h.client.send(new StopTaskCommand({ cluster, task: arn }));
    await eventually(async () => (await describe1(arn)).lastStatus === 'STOPPED');
    const events = h.events.filter((e) => e.resources[0] === arn);
    const versions = events.map((e) => e.detail.version);
    expect(versions).toEqual(versions.map((_v, i) => i + 1));
    expect(events.map((e) => `${e.detail.lastStatus}/${e.detail.desiredStatus}/${String(e.detail.healthStatus)}`)).toEqual([
      'PROVISIONING/RUNNING/UNKNOWN',
      'PENDING/RUNNING/UNKNOWN',
      'ACTIVATING/RUNNING/UNKNOWN',
      'RUNNING/RUNNING/UNKNOWN',
      'RUNNING/RUNNING/HEALTHY',
      'RUNNING/STOPPED/HEALTHY',
      'DEACTIVATING/STOPPED/HEALTHY',
      'STOPPING/STOPPED/HEALTHY',
      'DEPROVISIONING/STOPPED/HEALTHY',
      'STOPPED/STOPPED/HEALTHY',
    ]);
    const last = events.at(-1)!.detail;
    expect(last).toMatchObject({ stopCode: 'UserInitiated', stoppingAt: expect.any(String), stoppedAt: expect.any(String), executionStoppedAt: expect.any(String) });
    expect((last.containers as Array<{ exitCode?: number }>)[0].exitCode).toBe(0);
    expect((await describe1(arn)).version).toBe(events.at(-1)!.detail.version);
  });

  it('pages ListTasks by 100 and filters by service, family, startedBy and desiredStatus', async () => {
    await h.client.send(new CreateClusterCommand({ clusterName: 'many' }));
    await h.client.send(new CreateServiceCommand({ cluster: 'many', serviceName: 'wide', taskDefinition: 'web', desiredCount: 250, networkConfiguration: NETWORK }));
    for (let i = 0; i < 2; i++) {
      await h.client.send(new RunTaskCommand({ cluster: 'many', taskDefinition: 'web', startedBy: 'batch-7', count: 2, networkConfiguration: NETWORK }));
    }
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.client.send(new ListTasksCommand({ cluster: 'many', serviceName: 'wide', nextToken }));
      pages.push(page.taskArns!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(new Set(pages.flat()).size).toBe(250);

    const batch = await h.client.send(new ListTasksCommand({ cluster: 'many', startedBy: 'batch-7' }));
    expect(batch.taskArns).toHaveLength(4);
    const byFamily = await h.client.send(new ListTasksCommand({ cluster: 'many', family: 'web', maxResults: 100 }));
    expect(byFamily.taskArns).toHaveLength(100);
    expect(byFamily.nextToken).toBeDefined();
    const stopped = await h.client.send(new ListTasksCommand({ cluster: 'many', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toEqual([]);
    await expect(h.client.send(new ListTasksCommand({ cluster: 'many', maxResults: 101 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(h.client.send(new ListTasksCommand({ cluster: 'many', nextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(h.client.send(new ListTasksCommand({ cluster: 'many', serviceName: 'ghost' }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
    await expect(h.client.send(new ListTasksCommand({ cluster: 'nowhere' }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' });

    // DescribeTasks takes at most 100 tasks and reports unknown ones as MISSING.
    await expect(h.client.send(new DescribeTasksCommand({ cluster: 'many', tasks: pages.flat().slice(0, 101) }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
    const missingId = '0'.repeat(32);
    const described = await h.client.send(new DescribeTasksCommand({ cluster: 'many', tasks: [...pages[0].slice(0, 99), missingId] }));
    expect(described.tasks).toHaveLength(99);
    expect(described.failures).toEqual([{ arn: `arn:aws:ecs:us-east-1:000000000000:task/many/${missingId}`, reason: 'MISSING' }]);
    const ips = new Set(described.tasks!.map((t) => t.containers![0].networkInterfaces![0].privateIpv4Address));
    expect(ips.size).toBe(99);
  });
});
