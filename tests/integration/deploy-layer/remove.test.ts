import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, type Tag } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Faults, startPartialCloud, type ConsulServer, type EcsSimulation, type PartialCloud } from '@consul-mesh/local-cloud';
import { createEcsApi, type EcsApi } from '../../../layers/adapters/ecs';
import { createConsulClient, type ConsulApi } from '../../../layers/adapters/consul';
import { createSsmApi } from '../../../layers/adapters/ssm';
import { createEcrApi } from '../../../layers/adapters/ecr';
import { applyConfigEntries } from '../../../layers/deploy/config-entries';
import { loadMeshSpec } from '../../../layers/domain/spec';
import {
  deleteClusters,
  deleteConfigEntries,
  deleteMeshKv,
  deleteParameters,
  deleteRepositories,
  deleteServices,
  deregisterStoppedInstances,
  deregisterTaskDefinitions,
  drainStatus,
  findMeshResources,
  scaleToZero,
  type ServiceRef,
} from '../../../layers/deploy/remove';
import { eventually, fargateTaskDefinition, FAST_DELAYS, NETWORK } from '../local/ecs/harness';

/**
 * The removal primitives against the local ECS, SSM, ECR and Consul through the real clients. The account holds the
 * mesh `m` and, next to it, what is not `m`'s: the mesh `m-x` (whose names start like `m`'s), an untagged cluster
 * with a foreign service, an untagged family named `m-*`. Each primitive must take `m`'s and only `m`'s, and find
 * nothing to do the second time.
 */
const tags = (mesh: string, role: string): Tag[] => [
  { key: 'consul-mesh:mesh', value: mesh },
  { key: 'consul-mesh:role', value: role },
];
const creds = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

describe('the removal primitives', () => {
  let cloud: PartialCloud;
  let sim: EcsSimulation;
  let consulServer: ConsulServer;
  let client: ECSClient;
  let ssmClient: SSMClient;
  let ecrClient: ECRClient;
  let ecs: EcsApi;
  let consul: ConsulApi;

  const meshServices: ServiceRef[] = [
    { cluster: 'm-apps', service: 'web', role: 'service' },
    { cluster: 'shared', service: 'm-side', role: 'service' },
    { cluster: 'm-servers', service: 'consul-server', role: 'server' },
  ];
  const everyService: ServiceRef[] = [
    ...meshServices,
    { cluster: 'shared', service: 'foreign', role: 'service' },
    { cluster: 'other', service: 'web', role: 'service' },
  ];

  beforeAll(async () => {
    const started = await startPartialCloud({ faults: new Faults(3), ecs: { delays: FAST_DELAYS }, ssm: true, ecr: true, consul: {}, logger: () => undefined });
    cloud = started;
    sim = started.ecs;
    consulServer = started.consul;
    client = new ECSClient({ endpoint: cloud.aws.url, ...creds });
    ssmClient = new SSMClient({ endpoint: cloud.aws.url, ...creds });
    ecrClient = new ECRClient({ endpoint: cloud.aws.url, ...creds });
    ecs = createEcsApi(client);
    consul = createConsulClient({ address: consulServer.url });

    const td = (family: string, mesh?: string) =>
      client.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(family, `${family}:1.0.0`, { healthCheck: false }), ...(mesh ? { tags: tags(mesh, 'service') } : {}) }));
    for (let i = 0; i < 3; i++) await td('m-web', 'm');
    await td('m-consul-server', 'm');
    await td('m-x-web', 'm-x');
    await td('m-foo'); // named like m's, but nobody's
    await client.send(new CreateClusterCommand({ clusterName: 'm-apps', tags: tags('m', 'service') }));
    await client.send(new CreateClusterCommand({ clusterName: 'm-servers', tags: tags('m', 'server') }));
    await client.send(new CreateClusterCommand({ clusterName: 'other', tags: tags('m-x', 'service') }));
    await client.send(new CreateClusterCommand({ clusterName: 'shared' }));
    const service = (cluster: string, serviceName: string, taskDefinition: string, desiredCount: number, t?: Tag[]) =>
      client.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition, desiredCount, networkConfiguration: NETWORK, ...(t ? { tags: t } : {}) }));
    await service('m-apps', 'web', 'm-web', 2, tags('m', 'service'));
    await service('m-servers', 'consul-server', 'm-consul-server', 1, tags('m', 'server'));
    await service('shared', 'm-side', 'm-web', 1, tags('m', 'service'));
    await service('shared', 'foreign', 'm-foo', 1);
    await service('other', 'web', 'm-x-web', 1, tags('m-x', 'service'));
    await eventually(() => sim.runningTasks('m-apps').length === 2 && sim.runningTasks('shared').length === 2 && sim.runningTasks('other').length === 1, 10_000);
  }, 30_000);

  afterAll(async () => {
    for (const c of [client, ssmClient, ecrClient]) c?.destroy();
    await cloud?.close();
  });

  it("finds the mesh's clusters, services (in removal order) and families by their tags, in the spec's clusters too", async () => {
    const found = await findMeshResources(ecs, 'm', { clusters: ['shared', 'no-such-cluster'] });
    expect([...found.clusters].sort()).toEqual(['m-apps', 'm-servers']);
    expect(found.services.map((s) => `${s.cluster}/${s.service}:${s.role}`)).toEqual(['m-apps/web:service', 'shared/m-side:service', 'm-servers/consul-server:server']);
    expect(found.families).toEqual(['m-consul-server', 'm-web']);
  });

  it("scales, drains and deletes the mesh's services only, then its clusters once empty; a second pass does nothing", async () => {
    expect(await scaleToZero(ecs, 'm', everyService)).toEqual(['m-apps/web', 'shared/m-side', 'm-servers/consul-server']);
    expect(await scaleToZero(ecs, 'm', everyService)).toEqual([]);
    const drained = await eventually(async () => {
      const status = await drainStatus(ecs, 'm', everyService);
      return status.drained && status;
    }, 10_000);
    expect(drained.remaining).toEqual([]);

    expect(await deleteServices(ecs, 'm', everyService)).toEqual(['m-apps/web', 'shared/m-side', 'm-servers/consul-server']);
    expect(await deleteServices(ecs, 'm', everyService)).toEqual([]);

    const clusters = ['m-apps', 'm-servers', 'shared', 'other', 'no-such-cluster'];
    const deleted: string[] = [];
    await eventually(async () => {
      const pass = await deleteClusters(ecs, 'm', clusters);
      deleted.push(...pass.deleted);
      return pass.busy.length === 0;
    }, 10_000);
    expect(deleted.sort()).toEqual(['m-apps', 'm-servers']);
    expect(await deleteClusters(ecs, 'm', clusters)).toEqual({ deleted: [], busy: [] });

    // What is not the mesh's still runs, in the untagged cluster and in the other mesh's.
    const left = await ecs.describeClusters(clusters);
    expect(left.map((c) => `${c.clusterName}:${c.status}`).sort()).toEqual(['m-apps:INACTIVE', 'm-servers:INACTIVE', 'other:ACTIVE', 'shared:ACTIVE']);
    expect((await ecs.describeServices('shared', ['foreign']))[0]).toMatchObject({ status: 'ACTIVE', desiredCount: 1 });
    expect((await ecs.describeServices('other', ['web']))[0]).toMatchObject({ status: 'ACTIVE', desiredCount: 1 });
  }, 30_000);

  it('reports a cluster of the mesh that still has a service as busy, and does not force it', async () => {
    await client.send(new CreateClusterCommand({ clusterName: 'm-busy', tags: tags('m', 'service') }));
    await client.send(new CreateServiceCommand({ cluster: 'm-busy', serviceName: 'web', taskDefinition: 'm-web', desiredCount: 1, networkConfiguration: NETWORK, tags: tags('m', 'service') }));
    expect(await deleteClusters(ecs, 'm', ['m-busy'])).toEqual({ deleted: [], busy: ['m-busy'] });
    expect((await ecs.describeClusters(['m-busy']))[0]?.status).toBe('ACTIVE');
  });

  it("deregisters the mesh's revisions, keeping the newest N when asked, and no other family", async () => {
    expect(await deregisterTaskDefinitions(ecs, 'm', ['m-web', 'm-x-web', 'm-foo'], { keepNewest: 1 })).toEqual([
      expect.stringMatching(/task-definition\/m-web:2$/),
      expect.stringMatching(/task-definition\/m-web:1$/),
    ]);
    const all = await deregisterTaskDefinitions(ecs, 'm', ['m-web', 'm-consul-server', 'm-x-web', 'm-foo']);
    expect(all.map((arn) => arn.slice(arn.lastIndexOf('/') + 1))).toEqual(['m-web:3', 'm-consul-server:1']);
    expect(await deregisterTaskDefinitions(ecs, 'm', ['m-web', 'm-consul-server'])).toEqual([]);
    expect(await ecs.listTaskDefinitionArns('m-x-web')).toHaveLength(1);
    expect(await ecs.listTaskDefinitionArns('m-foo')).toHaveLength(1);
    expect((await findMeshResources(ecs, 'm')).families).toEqual([]);
  });

  it('removes only registrations whose task no longer runs, then the emptied synthetic nodes of the mesh', async () => {
    const runningForeign = sim.runningTasks('shared')[0]!.taskArn;
    const register = (node: string, mesh: string, id: string, taskArn: string) =>
      fetch(`${consulServer.url}/v1/catalog/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Node: node,
          Address: '127.0.0.1',
          NodeMeta: { 'synthetic-node': 'true', mesh },
          Service: { ID: id, Service: id.split('-')[0], Address: '10.0.0.9', Port: 8080, Meta: { mesh, 'task-arn': taskArn } },
        }),
      });
    const gone = 'arn:aws:ecs:us-east-1:000000000000:task/m-apps/0123456789abcdef';
    await register('m-apps', 'm', 'web-0123', gone);
    await register('m-apps', 'm', 'web-0123-sidecar-proxy', gone);
    await register('shared', 'm', 'side-live', runningForeign);
    await register('shared', 'm', 'side-gone', `${gone}1`);
    await register('other', 'm-x', 'web-other', gone);

    const first = await deregisterStoppedInstances(consul, ecs, 'm');
    expect({ ...first, instances: [...first.instances].sort() }).toEqual({
      instances: ['side-gone', 'web-0123', 'web-0123-sidecar-proxy'],
      nodes: ['m-apps'],
      stillRunning: ['side-live'],
    });
    expect(await consul.nodesByMeta('mesh', 'm')).toEqual(['shared']);
    expect((await consul.nodeServices('shared'))?.Services.map((s) => s.ID)).toEqual(['side-live']);
    expect((await consul.nodeServices('other'))?.Services.map((s) => s.ID)).toEqual(['web-other']);
    expect(await deregisterStoppedInstances(consul, ecs, 'm')).toEqual({ instances: [], nodes: [], stillRunning: ['side-live'] });
  });

  it('deletes config entries intentions first, service-defaults last, then the KV of the mesh and not of another', async () => {
    const spec = loadMeshSpec('examples/mesh.yaml');
    await applyConfigEntries(spec, consul);
    await consul.putConfigEntry({ Kind: 'service-defaults', Name: 'billing', Protocol: 'http' } as { Kind: string; Name: string });
    await consul.kvPut(`consul-mesh/${spec.name}/tombstones/cluster-1/abc`, '1');
    await consul.kvPut(`consul-mesh/${spec.name}-x/spec`, '{}');

    const deleted = await deleteConfigEntries(consul, spec);
    const kinds = deleted.map((d) => d.split('/')[0]);
    expect(kinds.lastIndexOf('service-intentions')).toBeLessThan(kinds.indexOf('ingress-gateway'));
    expect(kinds.indexOf('ingress-gateway')).toBeLessThan(kinds.indexOf('service-defaults'));
    expect(deleted).toEqual(expect.arrayContaining(['service-defaults/users', 'ingress-gateway/ingress-gateway']));
    expect(await consul.getConfigEntry('service-defaults', 'users')).toBeUndefined();
    expect(await consul.getConfigEntry('service-defaults', 'billing')).toBeDefined();
    expect(await deleteConfigEntries(consul, spec)).toEqual([]);

    // The spec, the datacenter marker applyConfigEntries wrote, a tombstone.
    expect((await deleteMeshKv(consul, spec.name)).sort()).toEqual([
      `consul-mesh/${spec.name}/datacenter`,
      `consul-mesh/${spec.name}/spec`,
      `consul-mesh/${spec.name}/tombstones/cluster-1/abc`,
    ]);
    expect(await consul.kvList(`consul-mesh/${spec.name}/`)).toEqual([]);
    expect(await consul.kvGet(`consul-mesh/${spec.name}-x/spec`)).toBeDefined();
    expect(await deleteMeshKv(consul, spec.name)).toEqual([]);
  });

  it('deletes the configuration parameters, keeps the secrets, lock and API token unless purged, and never touches another mesh', async () => {
    const put = (Name: string, Type: 'String' | 'SecureString' = 'String') => ssmClient.send(new PutParameterCommand({ Name, Value: 'v', Type }));
    for (let i = 0; i < 12; i++) await put(`/consul-mesh/m/config/dataplane/s${i}.json`);
    await put('/consul-mesh/m/secrets/gossip-key', 'SecureString');
    await put('/consul-mesh/m/secrets/tls/ca-key', 'SecureString');
    await put('/consul-mesh/m/lock');
    await put('/consul-mesh/m/api-token', 'SecureString');
    await put('/consul-mesh/m-x/config/server.hcl');
    const ssm = createSsmApi(ssmClient);

    const first = await deleteParameters(ssm, 'm');
    expect(first.deleted).toHaveLength(12);
    expect([...first.kept].sort()).toEqual(['/consul-mesh/m/api-token', '/consul-mesh/m/lock', '/consul-mesh/m/secrets/gossip-key', '/consul-mesh/m/secrets/tls/ca-key']);
    expect((await deleteParameters(ssm, 'm')).deleted).toEqual([]);

    const purged = await deleteParameters(ssm, 'm', { purge: true });
    expect([...purged.deleted].sort()).toEqual(['/consul-mesh/m/secrets/gossip-key', '/consul-mesh/m/secrets/tls/ca-key']);
    const left = await ssmClient.send(new GetParametersByPathCommand({ Path: '/consul-mesh', Recursive: true }));
    expect(left.Parameters?.map((p) => p.Name).sort()).toEqual(['/consul-mesh/m-x/config/server.hcl', '/consul-mesh/m/api-token', '/consul-mesh/m/lock']);
  });

  it("deletes the mesh's ECR repositories with their images, and no other", async () => {
    for (const repositoryName of ['m/users', 'm/todos', 'm-x/users', 'mx']) await ecrClient.send(new CreateRepositoryCommand({ repositoryName }));
    await ecrClient.send(new PutImageCommand({ repositoryName: 'm/users', imageTag: 'ctx-1', imageManifest: JSON.stringify({ schemaVersion: 2, layers: [] }) }));
    const ecr = createEcrApi(ecrClient);
    expect((await deleteRepositories(ecr, 'm')).sort()).toEqual(['m/todos', 'm/users']);
    expect(await deleteRepositories(ecr, 'm')).toEqual([]);
    const left = await ecrClient.send(new DescribeRepositoriesCommand({}));
    expect(left.repositories?.map((r) => r.repositoryName).sort()).toEqual(['m-x/users', 'mx']);
  });
});
