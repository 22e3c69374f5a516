/**
 * Services of the ECS simulation: idempotent creation, the real stability waiter, rolling updates within
 * minimumHealthyPercent/maximumPercent, the deployment circuit breaker with rollback, health-check replacement,
 * deletion and injected task crashes — through the real ECS client.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { WaiterState } from '@smithy/core/client';
import { Faults } from '../../../../local/faults/faults';
import type { EcsTaskSnapshot } from '../../../../local/aws/ecs/simulation';
import { eventually, fargateTaskDefinition, NETWORK, startEcsHarness, waitStable, type EcsHarness } from './harness';

describe('ECS simulation: services', () => {
  let h: EcsHarness;
  const cluster = 'svc';
  let goodRev: string;

  beforeAll(async () => {
    h = await startEcsHarness();
    await h.client.send(new CreateClusterCommand({ clusterName: cluster }));
    const registered = await h.client.send(
      new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition('users', 'registry.local/users:1.0.0'), tags: [{ key: 'owner', value: 'td' }] }),
    );
    goodRev = registered.taskDefinition!.taskDefinitionArn!;
  });
  afterAll(() => h.close());

  async function service(name: string): Promise<Service> {
    const { services } = await h.client.send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }));
    return services![0];
  }

  /** Records, at every task event of `serviceName`, how many tasks exist and how many are healthy. */
  function watch(serviceName: string) {
    const samples: Array<{ live: number; healthy: number }> = [];
    const unsubscribe = h.ecs.subscribe(() => {
      const tasks = h.ecs.liveTasks(cluster).filter((t: EcsTaskSnapshot) => t.serviceName === serviceName);
      samples.push({
        live: tasks.length,
        healthy: tasks.filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.healthStatus === 'HEALTHY').length,
      });
    });
    return { samples, unsubscribe };
  }

  it('creates a service idempotently by clientToken and refuses a non-idempotent re-creation', async () => {
    const input = { cluster, serviceName: 'idem', taskDefinition: 'users', desiredCount: 2, networkConfiguration: NETWORK, clientToken: 'token-1' };
    const first = await h.client.send(new CreateServiceCommand(input));
    const retry = await h.client.send(new CreateServiceCommand({ ...input }));
    expect(retry.service!.serviceArn).toBe('arn:aws:ecs:us-east-1:000000000000:service/svc/idem');
    expect(retry.service!.deployments!.map((d) => d.id)).toEqual(first.service!.deployments!.map((d) => d.id));

    await expect(h.client.send(new CreateServiceCommand({ ...input, clientToken: undefined }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Creation of service was not idempotent.',
    });
    await expect(h.client.send(new CreateServiceCommand({ ...input, desiredCount: 3 }))).rejects.toMatchObject({
      message: 'Creation of service was not idempotent.',
    });
    await waitStable(h.client, cluster, ['idem']);
    const tasks = await h.client.send(new ListTasksCommand({ cluster, serviceName: 'idem' }));
    expect(tasks.taskArns).toHaveLength(2);
  });

  it('reaches a steady state that the real waitUntilServicesStable recognises', async () => {
    await h.client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'users',
        taskDefinition: 'users',
        desiredCount: 3,
        networkConfiguration: NETWORK,
        propagateTags: 'SERVICE',
        enableECSManagedTags: true,
        tags: [{ key: 'mesh', value: 'demo' }],
      }),
    );
    const result = await waitStable(h.client, cluster, ['users']);
    expect(result.state).toBe(WaiterState.SUCCESS);
    const svc = await service('users');
    expect(svc).toMatchObject({ status: 'ACTIVE', desiredCount: 3, runningCount: 3, pendingCount: 0, taskDefinition: goodRev });
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments![0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 3, failedTasks: 0 });
    expect(svc.deployments![0].id).toMatch(/^ecs-svc\/\d{19}$/);
    await eventually(async () => (await service('users')).events?.[0]?.message === '(service users) has reached a steady state.');
    const messages = (await service('users')).events!.map((e) => e.message);
    expect(messages).toContainEqual(expect.stringMatching(/^\(service users\) has started 3 tasks: (\(task [0-9a-f]{32}\) ?){3}\.$/));

    const { taskArns } = await h.client.send(new ListTasksCommand({ cluster, serviceName: 'users' }));
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] }));
    for (const task of tasks!) {
      expect(task.group).toBe('service:users');
      expect(task.startedBy).toBe(svc.deployments![0].id);
      expect(task.tags).toEqual(
        expect.arrayContaining([
          { key: 'mesh', value: 'demo' },
          { key: 'aws:ecs:serviceName', value: 'users' },
          { key: 'aws:ecs:clusterName', value: cluster },
        ]),
      );
    }
  });

  it('rolls a new revision out within maximumPercent and minimumHealthyPercent', async () => {
    await h.client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'roll',
        taskDefinition: goodRev,
        desiredCount: 4,
        networkConfiguration: NETWORK,
        deploymentConfiguration: { maximumPercent: 150, minimumHealthyPercent: 50 },
      }),
    );
    await waitStable(h.client, cluster, ['roll']);
    await eventually(() => h.ecs.runningTasks(cluster).filter((t) => t.serviceName === 'roll' && t.healthStatus === 'HEALTHY').length === 4);
    const rev2 = (await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('users', 'registry.local/users:1.1.0')))).taskDefinition!
      .taskDefinitionArn!;
    const watcher = watch('roll');

    const updated = await h.client.send(new UpdateServiceCommand({ cluster, service: 'roll', taskDefinition: rev2 }));
    expect(updated.service!.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    await waitStable(h.client, cluster, ['roll']);
    watcher.unsubscribe();

    const svc = await service('roll');
    expect(svc.taskDefinition).toBe(rev2);
    expect(svc.deployments).toHaveLength(1);
    const running = h.ecs.runningTasks(cluster).filter((t) => t.serviceName === 'roll');
    expect(running.map((t) => t.taskDefinitionArn)).toEqual(Array(4).fill(rev2));
    expect(watcher.samples.length).toBeGreaterThan(20);
    expect(Math.max(...watcher.samples.map((s) => s.live))).toBe(6); // 150 % of 4, used but never exceeded
    expect(Math.min(...watcher.samples.map((s) => s.healthy))).toBe(2); // 50 % of 4, never undercut
  });

  it('trips the circuit breaker on a fail- image and rolls back to the last completed revision', async () => {
    await h.client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'breaker',
        taskDefinition: goodRev,
        desiredCount: 2,
        networkConfiguration: NETWORK,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
      }),
    );
    await waitStable(h.client, cluster, ['breaker']);
    await eventually(() => h.ecs.runningTasks(cluster).filter((t) => t.serviceName === 'breaker' && t.healthStatus === 'HEALTHY').length === 2);
    const crashing = (
      await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('breaker-users', '123456789012.dkr.ecr.us-east-1.amazonaws.com/users:fail-crash')))
    ).taskDefinition!.taskDefinitionArn!;
    const watcher = watch('breaker');

    await h.client.send(new UpdateServiceCommand({ cluster, service: 'breaker', taskDefinition: crashing }));
    const failedMessage = await eventually(async () =>
      (await service('breaker')).events!.map((e) => e.message!).find((m) => m.endsWith('deployment failed: tasks failed to start.')),
    );
    await waitStable(h.client, cluster, ['breaker']);
    watcher.unsubscribe();

    const failedId = /deployment (ecs-svc\/\d+) deployment failed/.exec(failedMessage)![1];
    const svc = await service('breaker');
    expect(svc.taskDefinition).toBe(goodRev);
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments![0]).toMatchObject({ taskDefinition: goodRev, rolloutState: 'COMPLETED' });
    expect(svc.deployments![0].id).not.toBe(failedId);
    expect(svc.events!.map((e) => e.message)).toContainEqual(expect.stringContaining('rolling back to task definition'));

    // The failed deployment's tasks crashed (3 = the threshold's floor) and were kept as STOPPED tasks.
    const stopped = await h.client.send(new ListTasksCommand({ cluster, startedBy: failedId, desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns!.length).toBeGreaterThanOrEqual(3);
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster, tasks: stopped.taskArns }));
    for (const task of tasks!) {
      expect(task).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
      expect(task.containers![0].exitCode).toBe(1);
    }
    // minimumHealthyPercent 100: the old revision kept serving the whole time.
    expect(Math.min(...watcher.samples.map((s) => s.healthy))).toBeGreaterThanOrEqual(2);
  });

  it('replaces tasks failing health checks; without rollback the failed deployment stays and the service is not stable', async () => {
    await h.client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'sick',
        taskDefinition: goodRev,
        desiredCount: 1,
        networkConfiguration: NETWORK,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    await waitStable(h.client, cluster, ['sick']);
    const unhealthy = (await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('sick-users', 'users:unhealthy-db-down'))))
      .taskDefinition!.taskDefinitionArn!;
    await h.client.send(new UpdateServiceCommand({ cluster, service: 'sick', taskDefinition: unhealthy }));

    const failed = await eventually(async () => {
      const svc = await service('sick');
      return svc.deployments!.find((d) => d.rolloutState === 'FAILED') && svc;
    });
    expect(failed.deployments!.map((d) => [d.status, d.rolloutState, d.taskDefinition])).toEqual([
      ['PRIMARY', 'FAILED', unhealthy],
      ['ACTIVE', 'COMPLETED', goodRev],
    ]);
    expect(failed.deployments![0].failedTasks).toBe(3);
    expect(failed.deployments![0].rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
    expect(failed.events!.map((e) => e.message)).toContainEqual(expect.stringMatching(/^\(service sick\) \(task [0-9a-f]{32}\) failed container health checks\.$/));
    const stopped = await h.client.send(new ListTasksCommand({ cluster, serviceName: 'sick', desiredStatus: 'STOPPED' }));
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster, tasks: stopped.taskArns }));
    expect(tasks!.filter((t) => t.stoppedReason === 'Task failed container health checks')).toHaveLength(3);
    expect(h.ecs.runningTasks(cluster).filter((t) => t.serviceName === 'sick').map((t) => t.taskDefinitionArn)).toEqual([goodRev]);

    await expect(waitStable(h.client, cluster, ['sick'], 0.5)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('scales down with ServiceSchedulerInitiated stops', async () => {
    await h.client.send(new UpdateServiceCommand({ cluster, service: 'users', desiredCount: 1 }));
    await waitStable(h.client, cluster, ['users']);
    const stopped = await h.client.send(new ListTasksCommand({ cluster, serviceName: 'users', desiredStatus: 'STOPPED' }));
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster, tasks: stopped.taskArns }));
    expect(tasks).toHaveLength(2);
    for (const task of tasks!) {
      expect(task.stopCode).toBe('ServiceSchedulerInitiated');
      expect(task.stoppedReason).toMatch(/^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);
    }
    expect((await service('users')).runningCount).toBe(1);
  });

  it('deletes a service only when scaled to 0 or forced, then drains it to INACTIVE', async () => {
    await expect(h.client.send(new DeleteServiceCommand({ cluster, service: 'idem' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The service cannot be stopped while it is scaled above 0.',
    });
    const deleting = await h.client.send(new DeleteServiceCommand({ cluster, service: 'idem', force: true }));
    expect(deleting.service).toMatchObject({ status: 'DRAINING', desiredCount: 0 });
    const inactive = await eventually(async () => {
      const svc = await service('idem');
      return svc.status === 'INACTIVE' && svc;
    });
    expect(inactive.runningCount).toBe(0);
    expect((await h.client.send(new ListTasksCommand({ cluster, serviceName: 'idem' }))).taskArns).toEqual([]);
    await expect(h.client.send(new UpdateServiceCommand({ cluster, service: 'idem', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotActiveException',
    });
    await expect(h.client.send(new UpdateServiceCommand({ cluster, service: 'never', desiredCount: 1 }))).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
    });
    const described = await h.client.send(new DescribeServicesCommand({ cluster, services: ['idem', 'never'] }));
    expect(described.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/svc/never', reason: 'MISSING' }]);
    await expect(waitStable(h.client, cluster, ['idem'])).rejects.toThrow();

    // The name can be used again once the old service is INACTIVE.
    const again = await h.client.send(
      new CreateServiceCommand({ cluster, serviceName: 'idem', taskDefinition: 'users', desiredCount: 0, networkConfiguration: NETWORK }),
    );
    expect(again.service!.status).toBe('ACTIVE');
  });

  it('validates CreateService like ECS', async () => {
    await expect(
      h.client.send(new CreateServiceCommand({ cluster, serviceName: 'nonet', taskDefinition: 'users', desiredCount: 1 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Network Configuration must be provided') });
    await expect(
      h.client.send(new CreateServiceCommand({ cluster, serviceName: 'notd', taskDefinition: 'ghost:1', desiredCount: 1, networkConfiguration: NETWORK })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      h.client.send(new CreateServiceCommand({ cluster: 'nope', serviceName: 'x', taskDefinition: 'users', networkConfiguration: NETWORK })),
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
    await expect(h.client.send(new DescribeServicesCommand({ cluster, services: Array(11).fill('x') }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

describe('ECS simulation: injected task crashes', () => {
  let h: EcsHarness;
  afterAll(() => h.close());

  it('stops random RUNNING tasks as crashed essential containers; the scheduler replaces them', async () => {
    h = await startEcsHarness({ faults: new Faults(3) });
    await h.client.send(new CreateClusterCommand({ clusterName: 'chaos' }));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('todos', 'todos:2.0.0')));
    await h.client.send(new CreateServiceCommand({ cluster: 'chaos', serviceName: 'todos', taskDefinition: 'todos', desiredCount: 3, networkConfiguration: NETWORK }));
    await waitStable(h.client, 'chaos', ['todos']);
    const before = h.ecs.runningTasks('chaos').map((t) => t.taskArn);

    const crashed = await h.faults.stopRandomTasks(2);
    expect(crashed).toHaveLength(2);
    expect(before).toEqual(expect.arrayContaining(crashed));
    // A crashed task still counts as RUNNING until it has stopped (as in ECS): wait for that before the waiter,
    // or the waiter may see the old three tasks as a steady state.
    await eventually(async () => {
      const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster: 'chaos', tasks: crashed }));
      return tasks!.every((task) => task.lastStatus === 'STOPPED');
    });
    await waitStable(h.client, 'chaos', ['todos']);
    const after = h.ecs.runningTasks('chaos').map((t) => t.taskArn);
    expect(after).toHaveLength(3);
    expect(after.filter((arn) => crashed.includes(arn))).toEqual([]);
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster: 'chaos', tasks: crashed }));
    for (const task of tasks!) {
      expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
      expect(task.containers![0].exitCode).toBe(137);
    }
  });
});
