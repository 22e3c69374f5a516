/**
 * Clusters, task definitions and tags of the ECS simulation, driven through the real ECS client.
 */
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { fargateTaskDefinition, NETWORK, startEcsHarness, type EcsHarness } from './harness';

describe('ECS simulation: clusters, task definitions, tags', () => {
  let h: EcsHarness;
  beforeAll(async () => {
    h = await startEcsHarness();
  });
  afterAll(() => h.close());

  it('creates clusters idempotently with AWS-form ARNs and describes missing ones as failures', async () => {
    const first = await h.client.send(new CreateClusterCommand({ clusterName: 'res-a', tags: [{ key: 'team', value: 'mesh' }] }));
    const again = await h.client.send(new CreateClusterCommand({ clusterName: 'res-a' }));
    expect(first.cluster).toMatchObject({ clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/res-a', clusterName: 'res-a', status: 'ACTIVE' });
    expect(again.cluster?.clusterArn).toBe(first.cluster?.clusterArn);

    const described = await h.client.send(new DescribeClustersCommand({ clusters: ['res-a', 'res-missing'], include: ['TAGS'] }));
    expect(described.clusters?.map((c) => c.clusterName)).toEqual(['res-a']);
    expect(described.clusters?.[0].tags).toEqual([{ key: 'team', value: 'mesh' }]);
    expect(described.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/res-missing', reason: 'MISSING' }]);
  });

  it('pages ListClusters', async () => {
    for (const name of ['page-1', 'page-2', 'page-3']) await h.client.send(new CreateClusterCommand({ clusterName: name }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.client.send(new ListClustersCommand({ maxResults: 2, nextToken }));
      expect(page.clusterArns!.length).toBeLessThanOrEqual(2);
      seen.push(...page.clusterArns!);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['page-1', 'page-2', 'page-3'].map((n) => `arn:aws:ecs:us-east-1:000000000000:cluster/${n}`)));
  });

  it('refuses to delete a cluster with services, and deletes an empty one', async () => {
    await h.client.send(new CreateClusterCommand({ clusterName: 'res-busy' }));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('res-busy-app', 'app:1.0.0')));
    await h.client.send(
      new CreateServiceCommand({ cluster: 'res-busy', serviceName: 'app', taskDefinition: 'res-busy-app', desiredCount: 0, networkConfiguration: NETWORK }),
    );
    await expect(h.client.send(new DeleteClusterCommand({ cluster: 'res-busy' }))).rejects.toMatchObject({ name: 'ClusterContainsServicesException' });

    await h.client.send(new CreateClusterCommand({ clusterName: 'res-empty' }));
    const deleted = await h.client.send(new DeleteClusterCommand({ cluster: 'res-empty' }));
    expect(deleted.cluster?.status).toBe('INACTIVE');
    await expect(h.client.send(new DeleteClusterCommand({ cluster: 'res-never' }))).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('increments revisions per family and resolves a bare family to its latest ACTIVE revision', async () => {
    const r1 = await h.client.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition('users', 'users:1.0.0'), tags: [{ key: 'svc', value: 'users' }] }));
    const r2 = await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('users', 'users:1.1.0')));
    const other = await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('todos', 'todos:1.0.0')));
    expect(r1.taskDefinition).toMatchObject({ family: 'users', revision: 1, status: 'ACTIVE', taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/users:1' });
    expect(r1.tags).toEqual([{ key: 'svc', value: 'users' }]);
    expect(r2.taskDefinition?.revision).toBe(2);
    expect(other.taskDefinition?.revision).toBe(1);
    expect(r1.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    expect(r1.taskDefinition?.containerDefinitions?.[0]).toMatchObject({ name: 'users', image: 'users:1.0.0', essential: true });

    const latest = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'users' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    const withTags = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'users:1', include: ['TAGS'] }));
    expect(withTags.tags).toEqual([{ key: 'svc', value: 'users' }]);

    await h.client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'users:2' }));
    expect((await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'users' }))).taskDefinition?.revision).toBe(1);
    const inactive = await h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'users:2' }));
    expect(inactive.taskDefinition?.status).toBe('INACTIVE');

    const listed = await h.client.send(new ListTaskDefinitionsCommand({ familyPrefix: 'users' }));
    expect(listed.taskDefinitionArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:task-definition/users:1']);
    const desc = await h.client.send(new ListTaskDefinitionsCommand({ sort: 'DESC', status: 'INACTIVE' }));
    expect(desc.taskDefinitionArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:task-definition/users:2']);
  });

  it('answers ECS errors for bad task definitions', async () => {
    await expect(h.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nobody' }))).rejects.toMatchObject({ name: 'ClientException' });
    await expect(
      h.client.send(new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'x', image: 'x:1', essential: false }] })),
    ).rejects.toMatchObject({ name: 'ClientException', message: expect.stringContaining('essential') });
    await expect(
      h.client.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition('bad', 'x:1'), networkMode: 'bridge' })),
    ).rejects.toMatchObject({ name: 'ClientException', message: "Fargate only supports network mode 'awsvpc'." });
  });

  it('refuses pidMode host and ipcMode on Fargate, as ECS does', async () => {
    await expect(
      h.client.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition('pid-host', 'x:1'), pidMode: 'host' })),
    ).rejects.toMatchObject({
      name: 'ClientException',
      message: "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
    });
    await expect(
      h.client.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition('ipc', 'x:1'), ipcMode: 'task' })),
    ).rejects.toMatchObject({ name: 'ClientException', message: 'Tasks using the Fargate launch type do not support ipcMode.' });
    const task = await h.client.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition('pid-task', 'x:1'), pidMode: 'task' }));
    expect(task.taskDefinition?.pidMode).toBe('task');
  });

  it('refuses an EC2 container without memory or memoryReservation when the task has no memory', async () => {
    const container = { name: 'app', image: 'app:1', essential: true };
    await expect(h.client.send(new RegisterTaskDefinitionCommand({ family: 'ec2-app', containerDefinitions: [container] }))).rejects.toMatchObject({
      name: 'ClientException',
      message: "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
    });
    await expect(
      h.client.send(new RegisterTaskDefinitionCommand({ family: 'ec2-app', requiresCompatibilities: ['EC2'], containerDefinitions: [container] })),
    ).rejects.toMatchObject({ name: 'ClientException' });
    await h.client.send(new RegisterTaskDefinitionCommand({ family: 'ec2-app', containerDefinitions: [{ ...container, memoryReservation: 128 }] }));
    await h.client.send(new RegisterTaskDefinitionCommand({ family: 'ec2-app', memory: '512', containerDefinitions: [container] }));
  });

  it('keeps serviceConnectDefaults on CreateCluster and DescribeClusters, with the namespace as an ARN', async () => {
    const created = await h.client.send(new CreateClusterCommand({ clusterName: 'res-sc', serviceConnectDefaults: { namespace: 'mesh.local' } }));
    const namespace = created.cluster?.serviceConnectDefaults?.namespace;
    expect(namespace).toMatch(/^arn:aws:servicediscovery:us-east-1:000000000000:namespace\/ns-[a-z0-9]{16}$/);
    const described = await h.client.send(new DescribeClustersCommand({ clusters: ['res-sc'] }));
    expect(described.clusters?.[0].serviceConnectDefaults).toEqual({ namespace });
  });

  it('keeps roleArn on a service: the role named for a bridge service, the service-linked role for awsvpc', async () => {
    await h.client.send(new CreateClusterCommand({ clusterName: 'res-roles' }));
    await h.client.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('res-roles-app', 'app:1.0.0')));
    await h.client.send(
      new RegisterTaskDefinitionCommand({ family: 'res-roles-bridge', containerDefinitions: [{ name: 'web', image: 'web:1', memory: 128 }] }),
    );
    const bridge = await h.client.send(
      new CreateServiceCommand({ cluster: 'res-roles', serviceName: 'bridge', taskDefinition: 'res-roles-bridge', desiredCount: 0, role: 'ecs-lb-role' }),
    );
    expect(bridge.service?.roleArn).toBe('arn:aws:iam::000000000000:role/ecs-lb-role');
    const described = await h.client.send(new DescribeServicesCommand({ cluster: 'res-roles', services: ['bridge'] }));
    expect(described.services?.[0].roleArn).toBe('arn:aws:iam::000000000000:role/ecs-lb-role');
    expect(described.services?.[0]).not.toHaveProperty('role');

    const awsvpc = await h.client.send(
      new CreateServiceCommand({ cluster: 'res-roles', serviceName: 'app', taskDefinition: 'res-roles-app', desiredCount: 0, networkConfiguration: NETWORK }),
    );
    expect(awsvpc.service?.roleArn).toBe('arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS');
    await expect(
      h.client.send(
        new CreateServiceCommand({
          cluster: 'res-roles',
          serviceName: 'app-2',
          taskDefinition: 'res-roles-app',
          desiredCount: 0,
          networkConfiguration: NETWORK,
          role: 'arn:aws:iam::000000000000:role/ecs-lb-role',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'You cannot specify an IAM role for services that require a service linked role.' });
  });

  it('checks request members before looking the cluster up, as ECS orders its errors', async () => {
    const cluster = 'res-no-such-cluster';
    const invalid = { name: 'InvalidParameterException' };
    await expect(h.client.send(new CreateServiceCommand({ cluster, serviceName: 'bad name!', taskDefinition: 'x' }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new CreateServiceCommand({ cluster, serviceName: 'app', taskDefinition: 'x', desiredCount: -1 }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new UpdateServiceCommand({ cluster, service: 'app', desiredCount: -1 }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new DescribeServicesCommand({ cluster, services: [] }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new DescribeTasksCommand({ cluster, tasks: [] }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new ListTasksCommand({ cluster, maxResults: 101 }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new RunTaskCommand({ cluster, taskDefinition: 'x', count: 11 }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new StopTaskCommand({ cluster, task: 't', reason: 'r'.repeat(256) }))).rejects.toMatchObject(invalid);
    await expect(h.client.send(new ListTasksCommand({ cluster }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('tags, lists and untags resources', async () => {
    const arn = 'arn:aws:ecs:us-east-1:000000000000:cluster/res-a';
    await h.client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'local' }, { key: 'team', value: 'platform' }] }));
    expect((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'team', value: 'platform' },
      { key: 'env', value: 'local' },
    ]);
    await h.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    expect((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'env', value: 'local' }]);
    await expect(
      h.client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:ecs:clusterName', value: 'x' }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      h.client.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
