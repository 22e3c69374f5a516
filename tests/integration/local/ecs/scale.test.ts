/**
 * 10,000 tasks: the simulation keeps up with zero delays, leaves no timer behind once tasks stop, gives every
 * live task its own address, and keeps only a bounded number of STOPPED tasks.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { eventually, fargateTaskDefinition, NETWORK, startEcsHarness, waitStable, type EcsHarness } from './harness';

const ZERO = { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 0 };

describe('ECS simulation at scale', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness({ delays: ZERO });
  });
  afterAll(() => h.close());

  it('runs and stops 10,000 tasks without leaking timers, addresses or stopped tasks', async () => {
    await h.client.send(new CreateClusterCommand({ clusterName: 'big' }));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('bulk', 'bulk:1.0.0')));
    await h.client.send(
      new CreateServiceCommand({ cluster: 'big', serviceName: 'bulk', taskDefinition: 'bulk', desiredCount: 10_000, networkConfiguration: NETWORK }),
    );
    await waitStable(h.client, 'big', ['bulk'], 30);
    const running = h.ecs.runningTasks('big');
    expect(running).toHaveLength(10_000);
    expect(new Set(running.map((t) => t.privateIp)).size).toBe(10_000);
    expect(h.ecs.pendingTimers).toBe(0);

    await h.client.send(new UpdateServiceCommand({ cluster: 'big', service: 'bulk', desiredCount: 0 }));
    await eventually(() => h.ecs.liveTasks('big').length === 0, 20_000);
    await eventually(() => h.ecs.pendingTimers === 0);
    expect(h.ecs.store.region('us-east-1').addresses.size).toBe(0);

    // Only the newest 1000 STOPPED tasks per cluster are kept.
    let stopped = 0;
    let nextToken: string | undefined;
    do {
      const page = await h.client.send(new ListTasksCommand({ cluster: 'big', desiredStatus: 'STOPPED', nextToken }));
      stopped += page.taskArns!.length;
      nextToken = page.nextToken;
    } while (nextToken);
    expect(stopped).toBe(1000);
    expect(h.ecs.store.region('us-east-1').tasks.size).toBe(1000);
  });
});
