import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { planChanges } from '../../../cli/plan';
import { createEcsApi } from '../../../layers/adapters/ecs';
import { renderPlan } from '../../../cli/plan-command';
import { validateMeshSpec, type MeshSpec } from '../../../layers/domain/spec';

const HASH = 'ab'.repeat(32);
const REGISTRY = '000000000000.dkr.ecr.us-east-1.amazonaws.com';

function shopSpec(): MeshSpec {
  const result = validateMeshSpec({
    object: {
      name: 'shop',
      consul: { servers: { count: 3 }, dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } },
      clusters: [
        {
          name: 'cluster-1',
          services: [
            { name: 'users', image: 'users:1.0.0', port: 8080, desiredCount: 2 },
            { name: 'activities', build: { context: 'docker/services/activities', contentHash: HASH }, port: 8081 },
          ],
        },
        { name: 'cluster-2', services: [{ name: 'todos', image: 'todos:2.0.0', port: 8080 }, { name: 'notifications', image: 'notifications:1.0.0', port: 8081 }] },
      ],
      ingress: { listeners: [{ port: 80, services: ['*'] }] },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.spec;
}

/** A read-only in-memory ECS answering the three Describe calls the way ECS does (unknown names in `failures`). */
class FakeEcs {
  readonly calls: string[] = [];
  readonly clusters = new Map<string, string>();
  readonly services = new Map<string, Service>();
  readonly taskDefinitions = new Map<string, ContainerDefinition[]>();
  /** runtimePlatform.cpuArchitecture per task definition; absent = registered without runtimePlatform. */
  readonly architectures = new Map<string, string>();

  readonly send = async (command: unknown): Promise<unknown> => {
    this.calls.push((command as object).constructor.name);
    if (command instanceof DescribeClustersCommand) {
      const names = command.input.clusters ?? [];
      return {
        clusters: names.filter((n) => this.clusters.has(n)).map((n) => ({ clusterName: n, status: this.clusters.get(n) })),
        failures: names.filter((n) => !this.clusters.has(n)).map((n) => ({ arn: n, reason: 'MISSING' })),
      };
    }
    if (command instanceof DescribeServicesCommand) {
      const names = command.input.services ?? [];
      if (names.length > 10) throw Object.assign(new Error('at most 10 services'), { name: 'InvalidParameterException' });
      const found = names.map((n) => this.services.get(`${command.input.cluster}/${n}`)).filter((s): s is Service => s !== undefined);
      return { services: found, failures: names.filter((n) => !this.services.has(`${command.input.cluster}/${n}`)).map((n) => ({ arn: n, reason: 'MISSING' })) };
    }
    if (command instanceof DescribeTaskDefinitionCommand) {
      const containers = this.taskDefinitions.get(command.input.taskDefinition ?? '');
      if (!containers) throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
      const cpuArchitecture = this.architectures.get(command.input.taskDefinition ?? '');
      const runtimePlatform = cpuArchitecture ? { cpuArchitecture, operatingSystemFamily: 'LINUX' } : undefined;
      return { taskDefinition: { taskDefinitionArn: command.input.taskDefinition, containerDefinitions: containers, runtimePlatform } };
    }
    throw new Error(`plan must not call ${(command as object).constructor.name}`);
  };

  /** A service as the deploy step would have left it for `shopSpec()`. */
  service(cluster: string, name: string, container: string, image: string, overrides: Partial<Service> = {}, server = false): void {
    const taskDefinition = `arn:aws:ecs:us-east-1:000000000000:task-definition/shop-${name}:1`;
    this.clusters.set(cluster, 'ACTIVE');
    this.services.set(`${cluster}/${name}`, {
      serviceName: name,
      status: 'ACTIVE',
      desiredCount: 1,
      taskDefinition,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: server ? 134 : 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      ...overrides,
    });
    this.taskDefinitions.set(taskDefinition, [{ name: container, image }, { name: 'consul-dataplane', image: 'hashicorp/consul-dataplane:1.6.0' }]);
    this.architectures.set(taskDefinition, 'ARM64');
  }
}

/** The plan reaches ECS through the adapter; the fake stands in for the SDK client under it (only `send` is used). */
const asClients = (ecs: FakeEcs) => ({ ecs: createEcsApi(ecs as unknown as ECSClient) });

describe('planChanges (what a deployment would do, read only)', () => {
  it('plans to create everything when no cluster exists', async () => {
    const ecs = new FakeEcs();
    const changes = await planChanges(shopSpec(), asClients(ecs));
    expect(changes.map((c) => [c.action, `${c.cluster}/${c.service}`, c.role, c.desiredCount, c.reasons])).toEqual([
      ['create', 'consul-server/consul-server', 'server', 3, ['cluster consul-server does not exist']],
      ['create', 'cluster-1/users', 'service', 2, ['cluster cluster-1 does not exist']],
      ['create', 'cluster-1/activities', 'service', 1, ['cluster cluster-1 does not exist']],
      ['create', 'cluster-2/todos', 'service', 1, ['cluster cluster-2 does not exist']],
      ['create', 'cluster-2/notifications', 'service', 1, ['cluster cluster-2 does not exist']],
      ['create', 'ingress/ingress-gateway', 'ingress-gateway', 1, ['cluster ingress does not exist']],
    ]);
    expect(new Set(ecs.calls)).toEqual(new Set(['DescribeClustersCommand']));
  });

  it('compares desired count, deployment configuration and image with what ECS runs', async () => {
    const ecs = new FakeEcs();
    ecs.service('consul-server', 'consul-server', 'consul-server', 'hashicorp/consul:1.20.1', { desiredCount: 3 }, true);
    ecs.service('cluster-1', 'users', 'users', 'users:1.0.0', { desiredCount: 1 });
    ecs.service('cluster-1', 'activities', 'activities', `${REGISTRY}/shop/activities:ctx-${HASH.slice(0, 32)}-arm64`, {
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
    });
    ecs.service('cluster-2', 'todos', 'todos', 'todos:1.9.0');
    ecs.service('cluster-2', 'notifications', 'notifications', 'notifications:1.0.0', { status: 'DRAINING' });
    ecs.clusters.set('ingress', 'ACTIVE');

    const changes = await planChanges(shopSpec(), asClients(ecs));
    expect(changes.map((c) => [c.action, c.service, c.reasons])).toEqual([
      ['unchanged', 'consul-server', []],
      ['update', 'users', ['desiredCount: 1 → 2']],
      [
        'update',
        'activities',
        ['deploymentConfiguration.minimumHealthyPercent: 50 → 100', 'deploymentConfiguration.deploymentCircuitBreaker: {"enable":false,"rollback":false} → {"enable":true,"rollback":true}'],
      ],
      ['update', 'todos', ['image of todos: todos:1.9.0 → todos:2.0.0']],
      ['create', 'notifications', ['service is DRAINING']],
      ['create', 'ingress-gateway', ['service does not exist']],
    ]);
    expect(new Set(ecs.calls)).toEqual(new Set(['DescribeClustersCommand', 'DescribeServicesCommand', 'DescribeTaskDefinitionCommand']));
  });

  it('expects a built image under <mesh>/<service> tagged ctx-<32 hex of the content hash>-<architecture>', async () => {
    const ecs = new FakeEcs();
    ecs.service('cluster-1', 'activities', 'activities', `${REGISTRY}/shop/activities:ctx-${'cd'.repeat(16)}-arm64`);
    const changes = await planChanges(shopSpec(), asClients(ecs));
    expect(changes.find((c) => c.service === 'activities')?.reasons).toEqual([
      `image of activities: ${REGISTRY}/shop/activities:ctx-${'cd'.repeat(16)}-arm64 → shop/activities:ctx-${HASH.slice(0, 32)}-arm64`,
    ]);
  });

  it('sees a CPU architecture change, and a revision registered without runtimePlatform as the X86_64 Fargate ran it on', async () => {
    const ecs = new FakeEcs();
    ecs.service('cluster-1', 'activities', 'activities', `${REGISTRY}/shop/activities:ctx-${HASH.slice(0, 32)}-arm64`);
    ecs.service('cluster-2', 'todos', 'todos', 'todos:2.0.0');
    ecs.architectures.delete('arn:aws:ecs:us-east-1:000000000000:task-definition/shop-todos:1');
    const arm = await planChanges(shopSpec(), asClients(ecs));
    expect(arm.find((c) => c.service === 'activities')).toMatchObject({ action: 'unchanged', reasons: [] });
    expect(arm.find((c) => c.service === 'todos')).toMatchObject({ action: 'update', reasons: ['runtimePlatform.cpuArchitecture: X86_64 → ARM64'] });

    const x86 = { ...shopSpec(), network: { ...shopSpec().network, cpuArchitecture: 'X86_64' as const } };
    const changes = await planChanges(x86, asClients(ecs));
    expect(changes.find((c) => c.service === 'activities')?.reasons).toEqual([
      'runtimePlatform.cpuArchitecture: ARM64 → X86_64',
      `image of activities: ${REGISTRY}/shop/activities:ctx-${HASH.slice(0, 32)}-arm64 → shop/activities:ctx-${HASH.slice(0, 32)}-amd64`,
    ]);
    expect(changes.find((c) => c.service === 'todos')).toMatchObject({ action: 'unchanged', reasons: [] });
  });

  it('compares the dataplane sidecar and the gateway with the dataplane image', async () => {
    const ecs = new FakeEcs();
    ecs.service('cluster-2', 'todos', 'todos', 'todos:2.0.0');
    ecs.taskDefinitions.set('arn:aws:ecs:us-east-1:000000000000:task-definition/shop-todos:1', [{ name: 'todos', image: 'todos:2.0.0' }, { name: 'consul-dataplane', image: 'hashicorp/consul-dataplane:1.5.0' }]);
    ecs.service('ingress', 'ingress-gateway', 'consul-dataplane', 'hashicorp/consul-dataplane:1.6.0');
    const changes = await planChanges(shopSpec(), asClients(ecs));
    expect(changes.find((c) => c.service === 'todos')?.reasons).toEqual(['image of consul-dataplane: hashicorp/consul-dataplane:1.5.0 → hashicorp/consul-dataplane:1.6.0']);
    expect(changes.find((c) => c.service === 'ingress-gateway')).toMatchObject({ action: 'unchanged', reasons: [] });
  });

  it('reports a task definition ECS cannot describe as a reason to update', async () => {
    const ecs = new FakeEcs();
    ecs.service('cluster-2', 'todos', 'todos', 'todos:2.0.0');
    ecs.taskDefinitions.clear();
    const changes = await planChanges(shopSpec(), asClients(ecs));
    expect(changes.find((c) => c.service === 'todos')).toMatchObject({
      action: 'update',
      reasons: ['task definition arn:aws:ecs:us-east-1:000000000000:task-definition/shop-todos:1 cannot be described: Unable to describe task definition.'],
    });
  });

  it('renders the plan as a table with +, ~ and = and a count', async () => {
    const ecs = new FakeEcs();
    ecs.service('consul-server', 'consul-server', 'consul-server', 'hashicorp/consul:1.20.1', { desiredCount: 3 }, true);
    ecs.service('cluster-1', 'users', 'users', 'users:1.0.0', { desiredCount: 1 });
    expect(renderPlan('shop', await planChanges(shopSpec(), asClients(ecs)))).toEqual([
      'Plan for mesh "shop":',
      '   CLUSTER        SERVICE          ROLE             DESIRED  ACTION     WHY',
      '=  consul-server  consul-server    server           3        unchanged',
      '~  cluster-1      users            service          2        update     desiredCount: 1 → 2',
      '+  cluster-1      activities       service          1        create     service does not exist',
      '+  cluster-2      todos            service          1        create     cluster cluster-2 does not exist',
      '+  cluster-2      notifications    service          1        create     cluster cluster-2 does not exist',
      '+  ingress        ingress-gateway  ingress-gateway  1        create     cluster ingress does not exist',
      '4 to create, 1 to update, 1 unchanged. Nothing was changed.',
    ]);
  });
});
