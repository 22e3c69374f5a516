import { CreateClusterCommand, ECSClient, ListClustersCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, referenceSpec, startCloud } from './harness';
import { destroy, startDestroy, waitDestroy } from './destroy-support';

/**
 * The teardown state machine on the local cloud, from a deployed reference mesh: everything of the mesh goes, in the
 * reverse order, except its secrets and images unless purged; nothing else in the account is touched; a second
 * teardown finds nothing; one is refused while a deployment runs; and the mesh deploys again afterwards.
 */
describe('destroying a deployed mesh', () => {
  let cloud: LocalCloud;
  let ecs: ECSClient;
  let ssm: SSMClient;
  let ecr: ECRClient;
  let token: string;
  const families = ['reference-mesh-consul-server', 'reference-mesh-users', 'reference-mesh-todos', 'reference-mesh-activities', 'reference-mesh-notifications', 'reference-mesh-ingress-gateway'];

  const consul = async (path: string) => {
    // The servers are gone after a teardown: a stale read is what an operator (or Consul's own UI) would get.
    const r = await fetch(`${cloud.endpoints.consul}${path}${path.includes('?') ? '&' : '?'}stale`, { headers: { 'X-Consul-Token': token } });
    return r.status === 404 ? undefined : r.json();
  };
  const ssmNames = async (path: string) =>
    ((await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true }))).Parameters ?? []).map((p) => p.Name!).sort();
  const activeClusters = async () => ((await ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map((a) => a.slice(a.lastIndexOf('/') + 1));

  beforeAll(async () => {
    cloud = await startCloud();
    const options = { endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    ecs = new ECSClient(options);
    ssm = new SSMClient(options);
    ecr = new ECRClient(options);
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    token = await bootstrapTokenOf(cloud);
    // What is not the mesh's: a cluster without its tag and a parameter outside its prefix.
    await ecs.send(new CreateClusterCommand({ clusterName: 'someone-else' }));
    await ssm.send(new PutParameterCommand({ Name: '/consul-mesh/reference-mesh-two/config/server.hcl', Value: 'x', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/elsewhere/setting', Value: 'x', Type: 'String' }));
  }, 120_000);

  afterAll(async () => {
    for (const c of [ecs, ssm, ecr]) c?.destroy();
    await cloud?.stop();
  });

  it('removes the ingress, the service clusters, Consul’s entries, the servers, then clusters, revisions and configuration; keeps secrets and images', async () => {
    const run = await destroy(cloud);
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const order = ['Prepare', 'IngressRemove', 'ServicesRemove', 'RemoveFromConsul', 'ServersRemove', 'Cleanup', 'Finish', 'Destroyed'];
    const firstIndex = order.map((s) => run.states.indexOf(s));
    expect(firstIndex.every((i) => i >= 0)).toBe(true);
    expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);

    const summary = run.output!;
    expect(summary.nothingToDo).toBe(false);
    expect([...summary.removed.services].sort()).toEqual(
      ['cluster-1/activities', 'cluster-1/users', 'cluster-2/notifications', 'cluster-2/todos', 'consul-server/consul-server', 'ingress/ingress-gateway'].sort(),
    );
    expect([...summary.removed.clusters].sort()).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
    expect(summary.removed.configEntries).toEqual(expect.arrayContaining(['service-intentions/todos', 'ingress-gateway/ingress-gateway', 'service-defaults/users']));
    expect(summary.removed.repositories).toEqual([]);
    expect(summary.kept.repositories.length).toBeGreaterThan(0);

    // ECS: no cluster or service of the mesh, no ACTIVE revision of its families; the untagged cluster stays.
    expect(await activeClusters()).toEqual(['someone-else']);
    for (const familyPrefix of families) {
      expect({ familyPrefix, arns: (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix, status: 'ACTIVE' }))).taskDefinitionArns }).toEqual({ familyPrefix, arns: [] });
    }
    // Consul: no registration, node, config entry or KV of the mesh.
    expect(await consul('/v1/catalog/nodes?node-meta=mesh:reference-mesh')).toEqual([]);
    for (const service of ['users', 'todos', 'activities', 'notifications', 'ingress-gateway']) expect({ service, at: await consul(`/v1/catalog/service/${service}`) }).toEqual({ service, at: [] });
    expect(await consul('/v1/config/service-defaults')).toEqual([]);
    expect(await consul('/v1/config/service-intentions')).toEqual([]);
    expect(await consul('/v1/config/ingress-gateway')).toEqual([]);
    expect(await consul('/v1/kv/consul-mesh/reference-mesh/?recurse')).toBeUndefined();
    // SSM: only the secrets of the mesh; what is not the mesh's stays.
    const left = await ssmNames('/consul-mesh/reference-mesh/');
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((n) => n.startsWith('/consul-mesh/reference-mesh/secrets/'))).toBe(true);
    expect(await ssmNames('/consul-mesh/reference-mesh-two/')).toEqual(['/consul-mesh/reference-mesh-two/config/server.hcl']);
    expect(await ssmNames('/elsewhere/')).toEqual(['/elsewhere/setting']);
    // ECR: the images stay without purge.
    const repos = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    expect(repos.some((r) => r.repositoryName?.startsWith('reference-mesh/'))).toBe(true);
  }, 120_000);

  it('finds nothing to do the second time, and says so', async () => {
    const run = await destroy(cloud);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ nothingToDo: true, removed: { services: [], clusters: [], taskDefinitions: 0, registrations: 0, configEntries: [], kv: 0, parameters: 0 } });
    expect(run.output?.consulSkipped).toMatch(/Consul servers are gone/);
  }, 60_000);

  it('deploys again afterwards, reusing the kept secrets', async () => {
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(run.output?.clusters.flatMap((c) => c.services.map((s) => `${c.cluster}/${s.name}:${s.runningCount}`)).sort()).toEqual(
      ['cluster-1/activities:2', 'cluster-1/users:2', 'cluster-2/notifications:1', 'cluster-2/todos:2', 'consul-server/consul-server:3', 'ingress/ingress-gateway:1'].sort(),
    );
  }, 120_000);

  it('is refused while a deployment runs, naming the deployment, and changes nothing', async () => {
    const deploying = deploy(cloud, referenceSpec((s) => void (s.clusters[0].services[0].desiredCount = 3)));
    // Wait until the deployment holds the lock.
    const deadline = Date.now() + 20_000;
    const locked = () => ssm.send(new GetParameterCommand({ Name: '/consul-mesh/reference-mesh/lock' })).then(() => true, () => false);
    while (!(await locked()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const run = await waitDestroy(cloud, await startDestroy(cloud));
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ConcurrentOperation');
    expect(run.cause).toMatch(/the lock \/consul-mesh\/reference-mesh\/lock is held by a deployment \(execution arn:aws:states:[^ ]+deploy-mesh:reference-mesh-d-test.*meshctl cancel/);
    expect(run.states).not.toContain('IngressRemove');
    const deployed = await deploying;
    expect({ status: deployed.status, cause: deployed.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 120_000);

  it('with purge also deletes the secrets and the ECR repositories', async () => {
    const run = await destroy(cloud, { purge: true });
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(run.output?.removed.repositories.length).toBeGreaterThan(0);
    expect(await ssmNames('/consul-mesh/reference-mesh/')).toEqual([]);
    const repos = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    expect(repos.filter((r) => r.repositoryName?.startsWith('reference-mesh/'))).toEqual([]);
    expect(await activeClusters()).toEqual(['someone-else']);
    expect(await ssmNames('/elsewhere/')).toEqual(['/elsewhere/setting']);
  }, 120_000);
});
