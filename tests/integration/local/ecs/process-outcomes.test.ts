/**
 * What the processes inside a task's containers do once started (the `startProcesses` hook the local cloud fills
 * with its stand-ins) shows in ECS as it does on AWS: an essential container whose process exits stops the task
 * with its exit code; a container whose health check never passes makes the task UNHEALTHY, and a service replaces it.
 */
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import type { ProcessOutcome } from '../../../../local/aws/ecs/task-lifecycle';
import { eventually, fargateTaskDefinition, NETWORK, startEcsHarness, type EcsHarness } from './harness';

describe('ECS simulation: what the containers\' processes do', () => {
  let h: EcsHarness;
  const cluster = 'processes';
  const outcomes: Record<string, ProcessOutcome[]> = {
    agent: [{ container: 'agent', exitCode: 3, reason: '==> failed to parse consul.hcl: invalid config key x' }],
    proxy: [{ container: 'proxy', unhealthy: true, reason: 'Envoy is not ready: ACL not found' }],
  };

  beforeAll(async () => {
    h = await startEcsHarness({ startProcesses: async (task) => outcomes[task.family] ?? [] });
    await h.client.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const family of ['agent', 'proxy', 'fine']) await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition(family, `registry.local:5000/${family}:1`)));
  });
  afterAll(() => h.close());

  async function describe1(taskArn: string): Promise<Task> {
    const { tasks } = await h.client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    return tasks![0];
  }

  it('stops the task when an essential container\'s process exits, with its exit code and reason', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'agent', networkConfiguration: NETWORK }));
    const stopped = await eventually(async () => {
      const task = await describe1(run.tasks![0].taskArn!);
      return task.lastStatus === 'STOPPED' && task;
    });
    expect(stopped).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(stopped.containers![0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 3, reason: '==> failed to parse consul.hcl: invalid config key x' });
  });

  it('reports the task UNHEALTHY when a container\'s process never passes its health check', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'proxy', networkConfiguration: NETWORK }));
    const sick = await eventually(async () => {
      const task = await describe1(run.tasks![0].taskArn!);
      return task.healthStatus === 'UNHEALTHY' && task;
    });
    expect(sick.containers![0]).toMatchObject({ healthStatus: 'UNHEALTHY', reason: 'Envoy is not ready: ACL not found' });
  });

  it('leaves a task whose processes all serve HEALTHY', async () => {
    const run = await h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'fine', networkConfiguration: NETWORK }));
    const healthy = await eventually(async () => {
      const task = await describe1(run.tasks![0].taskArn!);
      return task.healthStatus === 'HEALTHY' && task;
    });
    expect(healthy.containers![0].reason).toBeUndefined();
  });

  it('trips a service\'s circuit breaker when its tasks keep failing their health checks', async () => {
    await h.client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'proxy',
        taskDefinition: 'proxy',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    const failed = await eventually(async () => {
      const { services } = await h.client.send(new DescribeServicesCommand({ cluster, services: ['proxy'] }));
      return services?.[0]?.deployments?.[0]?.rolloutState === 'FAILED' && services[0];
    }, 15_000);
    expect(failed.deployments![0].rolloutStateReason).toMatch(/circuit breaker/);
    const { taskArns } = await h.client.send(new ListTasksCommand({ cluster, serviceName: 'proxy', desiredStatus: 'STOPPED' }));
    expect((await describe1(taskArns![0])).stoppedReason).toBe('Task failed container health checks');
  });
});
