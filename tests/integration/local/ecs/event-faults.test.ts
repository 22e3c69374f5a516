/**
 * Injected event faults on the way out of the ECS simulation: dropped, duplicated, delayed and reordered
 * `ECS Task State Change` events — what an at-least-once, unordered consumer has to cope with.
 */
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { eventually, fargateTaskDefinition, NETWORK, startEcsHarness, type EcsHarness } from './harness';

describe('ECS simulation: task event faults', () => {
  let h: EcsHarness;
  const cluster = 'faulty';

  beforeAll(async () => {
    h = await startEcsHarness();
    await h.client.send(new CreateClusterCommand({ clusterName: cluster }));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('app', 'app:1.0.0')));
  });
  afterEach(() => h.faults.reset());
  afterAll(() => h.close());

  /** Runs a task to STOPPED and returns its ARN and final version. */
  async function runToStopped(): Promise<{ arn: string; version: number }> {
    const arn = (await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'app', networkConfiguration: NETWORK }))).tasks![0].taskArn!;
    await eventually(async () => (await h.client.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0].healthStatus === 'HEALTHY');
    await h.client.send(new StopTaskCommand({ cluster, task: arn }));
    const stopped = await eventually(async () => {
      const task = (await h.client.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
      return task.lastStatus === 'STOPPED' && task;
    });
    return { arn, version: stopped.version! };
  }

  const versionsOf = (arn: string) => h.events.filter((e) => e.resources[0] === arn).map((e) => e.detail.version);

  it('drops every event when drop is 1', async () => {
    h.faults.set({ events: { drop: 1 } });
    const { arn } = await runToStopped();
    expect(versionsOf(arn)).toEqual([]);
  });

  it('delivers every event twice when duplicate is 1', async () => {
    h.faults.set({ events: { duplicate: 1 } });
    const { arn, version } = await runToStopped();
    const expected = Array.from({ length: version }, (_v, i) => [i + 1, i + 1]).flat();
    expect(versionsOf(arn)).toEqual(expected);
  });

  it('lets later events overtake held ones when reorder is 1, losing none', async () => {
    h.faults.set({ events: { reorder: 1 } });
    const { arn, version } = await runToStopped();
    await eventually(() => versionsOf(arn).length === version);
    const delivered = versionsOf(arn);
    expect([...delivered].sort((a, b) => a - b)).toEqual(Array.from({ length: version }, (_v, i) => i + 1));
    expect(delivered).not.toEqual([...delivered].sort((a, b) => a - b));
    // A consumer that keeps the highest version still ends on the final state.
    const newest = h.events.filter((e) => e.resources[0] === arn).reduce((a, b) => (b.detail.version > a.detail.version ? b : a));
    expect(newest.detail.lastStatus).toBe('STOPPED');
  });

  it('delivers delayed events late but delivers them', async () => {
    h.faults.set({ events: { delay: 1, delayMs: 20 } });
    const { arn, version } = await runToStopped();
    await eventually(() => versionsOf(arn).length === version);
  });
});
