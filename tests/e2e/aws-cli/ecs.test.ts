/**
 * The ECS simulation driven by the real AWS CLI: a cluster, a task definition read from a JSON file, a service the
 * CLI's own `services-stable` waiter accepts, its tasks with private IPs, a rolling update to a new revision, the
 * errors the CLI reports, and ListTasks paging that the CLI follows on its own.
 */
import { EcsSimulation } from '@consul-mesh/local-cloud';
import { SERVICE_ERROR_EXIT_CODES, serviceErrorOf } from './cli';
import { expectRecent, startCliCloud, until, type CliCloud } from './local-cloud';
import { ecsCluster, ecsFailures, ecsService, ecsTask, ecsTaskDefinition } from './shapes';
import { z } from 'zod';

const CLUSTER = 'mesh';
const TARGET = 'AmazonEC2ContainerServiceV20141113';
/** The CLI's shorthand syntax for `--network-configuration`. */
const NETWORK = 'awsvpcConfiguration={subnets=[subnet-0aaa1111,subnet-0bbb2222],securityGroups=[sg-0ccc3333],assignPublicIp=DISABLED}';
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** RegisterTaskDefinition's input, as `--cli-input-json` reads it (the request's own field names). */
function taskDefinitionJson(image: string): string {
  return JSON.stringify({
    family: 'users',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'users',
        image,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], interval: 5, timeout: 3, retries: 3 },
      },
    ],
  });
}

let cloud: CliCloud;
let ecs: EcsSimulation;
const since = Date.now();

beforeAll(async () => {
  ecs = new EcsSimulation({
    delays: { provisioningMs: 1, pendingMs: 1, activatingMs: 1, runningMs: 5, stoppingMs: 1, restartBackoffMs: 5 },
  });
  cloud = await startCliCloud([ecs.provider]);
});

afterAll(async () => {
  ecs?.close();
  await cloud?.close();
});

async function registerRevision(fileName: string, image: string) {
  const ref = cloud.cli.fileRef(fileName, taskDefinitionJson(image));
  const output = await cloud.cli.ok(['ecs', 'register-task-definition', '--cli-input-json', ref]);
  return z.object({ taskDefinition: ecsTaskDefinition }).parse(output).taskDefinition;
}

async function describeService(name: string) {
  const output = await cloud.cli.ok(['ecs', 'describe-services', '--cluster', CLUSTER, '--services', name]);
  return z.object({ services: z.array(ecsService), failures: ecsFailures }).parse(output);
}

describe('a service deployed with the AWS CLI', () => {
  let revision1 = '';

  it('creates a cluster and answers the documented Cluster', async () => {
    const output = await cloud.cli.ok(['ecs', 'create-cluster', '--cluster-name', CLUSTER]);

    const { cluster } = z.object({ cluster: ecsCluster }).parse(output);
    expect(cluster).toMatchObject({ clusterName: CLUSTER, clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`, runningTasksCount: 0 });
  });

  it('registers a task definition read from a JSON file as revision 1', async () => {
    const definition = await registerRevision('users-v1.json', 'users:v1');

    expect(definition).toMatchObject({ family: 'users', revision: 1, networkMode: 'awsvpc', cpu: '256', memory: '512' });
    expect(definition.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:000000000000:task-definition/users:1');
    expect(definition.containerDefinitions[0]).toMatchObject({ name: 'users', image: 'users:v1', portMappings: [{ containerPort: 8080, protocol: 'tcp' }] });
    expectRecent(definition.registeredAt, since);
    revision1 = definition.taskDefinitionArn;
  });

  it('creates a service from shorthand arguments with one PRIMARY deployment', async () => {
    const output = await cloud.cli.ok([
      'ecs', 'create-service', '--cluster', CLUSTER, '--service-name', 'users', '--task-definition', 'users',
      '--desired-count', '3', '--launch-type', 'FARGATE', '--network-configuration', NETWORK,
    ]);

    const { service } = z.object({ service: ecsService }).parse(output);
    expect(service).toMatchObject({ serviceName: 'users', status: 'ACTIVE', desiredCount: 3, launchType: 'FARGATE', taskDefinition: revision1 });
    expect(service.networkConfiguration.awsvpcConfiguration).toEqual({
      subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
      securityGroups: ['sg-0ccc3333'],
      assignPublicIp: 'DISABLED',
    });
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]).toMatchObject({ status: 'PRIMARY', taskDefinition: revision1, desiredCount: 3 });
    expectRecent(service.createdAt, since);
  });

  it('satisfies `aws ecs wait services-stable` once desiredCount tasks run', async () => {
    const waited = await cloud.cli.run(['ecs', 'wait', 'services-stable', '--cluster', CLUSTER, '--services', 'users'], { timeoutMs: 50_000 });

    expect(waited).toMatchObject({ exitCode: 0, stdout: '' });
    const [summary] = ecs.services('us-east-1', CLUSTER);
    expect(summary).toMatchObject({ runningCount: 3, desiredCount: 3 });
    expect(summary.deployments).toHaveLength(1);
  });

  it('lists the service tasks and describes them RUNNING with their private IPs', async () => {
    const listed = z.object({ taskArns: z.array(z.string()) }).parse(await cloud.cli.ok(['ecs', 'list-tasks', '--cluster', CLUSTER, '--service-name', 'users']));
    expect(listed.taskArns).toHaveLength(3);

    const output = await cloud.cli.ok(['ecs', 'describe-tasks', '--cluster', CLUSTER, '--tasks', ...listed.taskArns]);

    const { tasks, failures } = z.object({ tasks: z.array(ecsTask), failures: ecsFailures }).parse(output);
    expect(failures).toEqual([]);
    expect(tasks.map((t) => t.taskArn).sort()).toEqual([...listed.taskArns].sort());
    const ips = tasks.map((task) => {
      expect(task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', group: 'service:users', taskDefinitionArn: revision1 });
      const details = Object.fromEntries(task.attachments[0].details.map((d) => [d.name, d.value]));
      const ip = details.privateIPv4Address;
      expect(ip).toMatch(IPV4);
      expect(task.containers[0].networkInterfaces[0].privateIpv4Address).toBe(ip);
      expect(ecs.task(task.taskArn)?.privateIp).toBe(ip);
      expect(task.startedAt).toBeGreaterThanOrEqual(task.createdAt);
      expectRecent(task.createdAt, since);
      return ip;
    });
    expect(new Set(ips).size).toBe(3);
  });

  it('rolls the service to revision 2 with update-service until the old deployment is gone', async () => {
    const revision2 = (await registerRevision('users-v2.json', 'users:v2')).taskDefinitionArn;
    expect(revision2).toBe('arn:aws:ecs:us-east-1:000000000000:task-definition/users:2');

    const updated = await cloud.cli.ok(['ecs', 'update-service', '--cluster', CLUSTER, '--service', 'users', '--task-definition', 'users:2']);
    const { service } = z.object({ service: ecsService }).parse(updated);
    expect(service.taskDefinition).toBe(revision2);
    expect(service.deployments.find((d) => d.status === 'PRIMARY')).toMatchObject({ taskDefinition: revision2, rolloutState: 'IN_PROGRESS' });
    expect(service.deployments.find((d) => d.status === 'ACTIVE')).toMatchObject({ taskDefinition: revision1 });

    const waited = await cloud.cli.run(['ecs', 'wait', 'services-stable', '--cluster', CLUSTER, '--services', 'users'], { timeoutMs: 50_000 });
    expect(waited.exitCode).toBe(0);
    const { services } = await describeService('users');
    expect(services[0]).toMatchObject({ runningCount: 3, pendingCount: 0, taskDefinition: revision2 });
    expect(services[0].deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: revision2, runningCount: 3 })]);
    expect(ecs.runningTasks(CLUSTER).map((t) => t.taskDefinitionArn)).toEqual([revision2, revision2, revision2]);
  });
});

describe('errors the AWS CLI surfaces', () => {
  it('reports ClusterNotFoundException with its code and operation on stderr', async () => {
    const result = await cloud.cli.fail(['ecs', 'list-tasks', '--cluster', 'no-such-cluster']);

    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(serviceErrorOf(result)).toEqual({ code: 'ClusterNotFoundException', operation: 'ListTasks', message: 'Cluster not found.' });
  });

  it('ends `wait services-stable` at once in its failure state for a service reported MISSING', async () => {
    const started = Date.now();

    const result = await cloud.cli.fail(['ecs', 'wait', 'services-stable', '--cluster', CLUSTER, '--services', 'ghost'], { timeoutMs: 50_000 });

    // The waiter's failure acceptor reads `failures[].reason` of DescribeServices; without it, it would poll every 15 s.
    expect(result.stderr).toContain('Waiter ServicesStable failed');
    expect(result.stderr).toContain('MISSING');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('pagination followed by the AWS CLI', () => {
  it('collects all 105 tasks of a service from two ListTasks pages', async () => {
    await cloud.cli.ok([
      'ecs', 'create-service', '--cluster', CLUSTER, '--service-name', 'big', '--task-definition', 'users:1',
      '--desired-count', '105', '--launch-type', 'FARGATE', '--network-configuration', NETWORK,
    ]);
    await until(() => ecs.liveTasks(CLUSTER).filter((t) => t.serviceName === 'big').length === 105);
    cloud.endpoint.resetCallCounts();

    const output = await cloud.cli.ok(['ecs', 'list-tasks', '--cluster', CLUSTER, '--service-name', 'big']);

    expect(output).not.toHaveProperty('nextToken');
    const { taskArns } = z.object({ taskArns: z.array(z.string()) }).parse(output);
    expect(taskArns).toHaveLength(105);
    expect(new Set(taskArns).size).toBe(105);
    expect(new Set(taskArns)).toEqual(new Set(ecs.liveTasks(CLUSTER).filter((t) => t.serviceName === 'big').map((t) => t.taskArn)));
    // ListTasks pages hold at most 100 ARNs by default: the CLI had to follow nextToken once.
    expect(cloud.endpoint.callCounts()[`${TARGET}.ListTasks`]).toBe(2);
  });
});
