/**
 * A container health check that a process stand-in can evaluate (`ProcessOutcome.probe`, e.g. the Consul server's
 * autopilot check) runs as ECS runs it (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html):
 * every `interval`; failures within `startPeriod` do not count (the task stays UNKNOWN); a pass makes it HEALTHY and
 * ends the start period; `retries` failures in a row make it UNHEALTHY. The task's health is announced only when it
 * changes.
 */
import { DescribeTasksCommand, CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { eventually, FAST_DELAYS, fargateTaskDefinition, NETWORK, startEcsHarness, type EcsHarness } from './harness';

/** 10 ms per task-definition second: an interval of 5 s runs every 50 ms, a start period of 30 s lasts 300 ms. */
const SECOND_MS = 10;

describe('ECS simulation: health checks run every interval', () => {
  let h: EcsHarness;
  const cluster = 'probes';
  const passing: Record<string, boolean> = { late: false, never: false, flaky: true };
  const probes: Record<string, number> = { late: 0, never: 0, flaky: 0 };

  beforeAll(async () => {
    h = await startEcsHarness({
      delays: { ...FAST_DELAYS, healthCheckSecondMs: SECOND_MS },
      startProcesses: async (task) => [
        {
          container: task.family,
          reason: 'not checked yet',
          probe: async () => {
            probes[task.family] += 1;
            return passing[task.family] ? undefined : `${task.family}: not a caught-up voter`;
          },
        },
      ],
    });
    await h.client.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const family of Object.keys(passing)) {
      const definition = fargateTaskDefinition(family, `registry.local:5000/${family}:1`);
      definition.containerDefinitions![0].healthCheck = { command: ['CMD', '/usr/local/bin/check'], interval: 5, timeout: 2, retries: 3, startPeriod: 30 };
      await h.client.send(new RegisterTaskDefinitionCommand(definition));
    }
  });
  afterAll(() => h.close());

  const describe1 = async (taskArn: string): Promise<Task> => (await h.client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0];
  const start = async (family: string) => (await h.client.send(new RunTaskCommand({ cluster, taskDefinition: family, networkConfiguration: NETWORK }))).tasks![0].taskArn!;
  const healthEvents = (taskArn: string) => h.events.filter((e) => e.detail.taskArn === taskArn).map((e) => e.detail.healthStatus);

  it('stays UNKNOWN while the check fails within the start period, and turns HEALTHY once it passes', async () => {
    const taskArn = await start('late');
    await eventually(() => probes.late >= 3);
    const early = await describe1(taskArn);
    expect({ health: early.healthStatus, reason: early.containers![0].reason }).toEqual({ health: 'UNKNOWN', reason: 'late: not a caught-up voter' });

    passing.late = true;
    const healthy = await eventually(async () => {
      const task = await describe1(taskArn);
      return task.healthStatus === 'HEALTHY' && task;
    });
    expect(healthy.containers![0]).toMatchObject({ healthStatus: 'HEALTHY' });
    expect(healthy.containers![0].reason).toBeUndefined();
  });

  it('turns UNHEALTHY after the start period and `retries` failures in a row, not before', async () => {
    const taskArn = await start('never');
    const startedAt = Date.now();
    const sick = await eventually(async () => {
      const task = await describe1(taskArn);
      return task.healthStatus === 'UNHEALTHY' && task;
    });
    // Start period 300 ms, then three failures 50 ms apart.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(30 * SECOND_MS);
    expect(sick.containers![0]).toMatchObject({ healthStatus: 'UNHEALTHY', reason: 'never: not a caught-up voter' });
  });

  it('keeps checking a HEALTHY container: failures after a pass count at once, and each change is announced once', async () => {
    const taskArn = await start('flaky');
    await eventually(async () => (await describe1(taskArn)).healthStatus === 'HEALTHY');
    const checked = probes.flaky;
    await eventually(() => probes.flaky >= checked + 3);
    passing.flaky = false;
    await eventually(async () => (await describe1(taskArn)).healthStatus === 'UNHEALTHY', 2_000);
    const changes = healthEvents(taskArn).filter((status, i, all) => i === 0 || status !== all[i - 1]);
    expect(changes).toEqual(['UNKNOWN', 'HEALTHY', 'UNHEALTHY']);
    expect(healthEvents(taskArn).filter((s) => s === 'HEALTHY').length).toBe(1);
  });
});
