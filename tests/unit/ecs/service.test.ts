import { buildCluster, buildCreateService, buildUpdateService, deployStages, meshClusters, resolveTarget } from '../../../layers/domain/ecs';
import { TAG } from '../../../layers/domain/naming';
import { ConfigError, NotFoundError } from '../../../layers/errors';
import { referenceSpec, specFrom } from './support';

const tagsOf = (tags: Array<{ key?: string; value?: string }> | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
const subnets = { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] };

describe('buildCluster', () => {
  const spec = referenceSpec();

  it('creates each mesh cluster tagged with its role, Container Insights on', () => {
    expect(buildCluster(spec, 'cluster-1')).toEqual({
      clusterName: 'cluster-1',
      settings: [{ name: 'containerInsights', value: 'enabled' }],
      tags: [
        { key: TAG.mesh, value: 'reference-mesh' },
        { key: TAG.role, value: 'service' },
      ],
    });
    expect(tagsOf(buildCluster(spec, 'consul-server').tags)[TAG.role]).toBe('server');
    expect(tagsOf(buildCluster(spec, 'ingress').tags)[TAG.role]).toBe('ingress-gateway');
  });

  it('refuses a cluster the spec does not have', () => {
    expect(() => buildCluster(spec, 'cluster-9')).toThrow(NotFoundError);
  });
});

describe('targets', () => {
  const spec = referenceSpec();

  it('orders deployment stages: servers, then all services, then the gateway', () => {
    expect(deployStages(spec)).toEqual([
      [{ role: 'server' }],
      ['users', 'activities', 'todos', 'notifications'].map((service) => ({ role: 'service', service })),
      [{ role: 'ingress-gateway' }],
    ]);
    expect(meshClusters(spec).map((c) => c.name)).toEqual(['consul-server', 'cluster-1', 'cluster-2', 'ingress']);
  });

  it('resolves cluster, ECS service name, family and count of each target', () => {
    expect(resolveTarget(spec, { role: 'server' })).toEqual({ role: 'server', cluster: 'consul-server', serviceName: 'consul-server', family: 'reference-mesh-consul-server', desiredCount: 3 });
    expect(resolveTarget(spec, { role: 'service', service: 'todos' })).toEqual({ role: 'service', cluster: 'cluster-2', serviceName: 'todos', family: 'reference-mesh-todos', desiredCount: 2 });
    expect(resolveTarget(spec, { role: 'ingress-gateway' })).toMatchObject({ cluster: 'ingress', serviceName: 'ingress-gateway', desiredCount: 1 });
    expect(() => resolveTarget(spec, { role: 'service', service: 'nope' })).toThrow(NotFoundError);
    const noIngress = specFrom({ name: 'shop', clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] });
    expect(() => resolveTarget(noIngress, { role: 'ingress-gateway' })).toThrow(NotFoundError);
    expect(deployStages(noIngress)).toHaveLength(2);
  });
});

describe('buildCreateService', () => {
  const spec = referenceSpec();
  const input = buildCreateService(spec, { role: 'service', service: 'users' }, { ...subnets, taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:3' });

  it('creates a private, tag-propagating, circuit-breaker-guarded service', () => {
    expect(input).toMatchObject({
      cluster: 'cluster-1',
      serviceName: 'users',
      taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:3',
      desiredCount: 2,
      launchType: 'FARGATE',
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' } },
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
    });
    expect(input.placementConstraints).toBeUndefined();
    expect(tagsOf(input.tags)).toMatchObject({ [TAG.mesh]: 'reference-mesh', [TAG.role]: 'service', [TAG.service]: 'users' });
  });

  it('derives a stable clientToken from the input: same spec same token, changed spec another token', () => {
    const again = buildCreateService(referenceSpec(), { role: 'service', service: 'users' }, { ...subnets, taskDefinition: input.taskDefinition });
    expect(again).toEqual(input);
    expect(input.clientToken).toMatch(/^[0-9a-f]{32}$/);
    const changed = referenceSpec();
    changed.clusters[0].services[0].desiredCount = 3;
    expect(buildCreateService(changed, { role: 'service', service: 'users' }, { ...subnets, taskDefinition: input.taskDefinition }).clientToken).not.toBe(input.clientToken);
  });

  it('runs the latest revision of the family when no task definition ARN is given', () => {
    expect(buildCreateService(spec, { role: 'service', service: 'users' }, subnets).taskDefinition).toBe('reference-mesh-users');
  });

  it('rolls Consul servers one task at a time whatever the spec says, tagged for auto-join', () => {
    const servers = buildCreateService(spec, { role: 'server' }, subnets);
    expect(servers.deploymentConfiguration).toEqual({ minimumHealthyPercent: 100, maximumPercent: 134, deploymentCircuitBreaker: { enable: true, rollback: true } });
    expect(tagsOf(servers.tags)).toMatchObject({ [TAG.role]: 'server', [TAG.serverJoin]: 'reference-mesh' });
    const five = specFrom({ name: 'shop', consul: { servers: { count: 5 } }, clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] });
    expect(buildCreateService(five, { role: 'server' }, subnets).deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 100, maximumPercent: 120 });
    const one = specFrom({ name: 'shop', consul: { servers: { count: 1 } }, clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] });
    expect(buildCreateService(one, { role: 'server' }, subnets).deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 0, maximumPercent: 100 });
  });

  it('prefers the spec subnets to the context and refuses awsvpc without any', () => {
    const own = specFrom({ name: 'shop', network: { subnets: ['subnet-11112222'] }, clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] });
    expect(buildCreateService(own, { role: 'service', service: 'web' }, subnets).networkConfiguration?.awsvpcConfiguration).toEqual({
      subnets: ['subnet-11112222'],
      securityGroups: ['sg-0a1b2c3d'],
      assignPublicIp: 'DISABLED',
    });
    expect(() => buildCreateService(spec, { role: 'service', service: 'users' })).toThrow(ConfigError);
  });

  it('has no network configuration in host mode and keeps one task per instance', () => {
    const host = specFrom({ name: 'shop', network: { mode: 'host', launchType: 'EC2' }, clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080 }] }] });
    const created = buildCreateService(host, { role: 'service', service: 'web' });
    expect(created.networkConfiguration).toBeUndefined();
    expect(created.launchType).toBe('EC2');
    expect(created.placementConstraints).toEqual([{ type: 'distinctInstance' }]);
  });
});

describe('buildUpdateService', () => {
  it('carries what UpdateService can change, from the same settings as CreateService', () => {
    const spec = referenceSpec();
    const update = buildUpdateService(spec, { role: 'service', service: 'todos' }, { ...subnets, taskDefinition: 'reference-mesh-todos:7' });
    const create = buildCreateService(spec, { role: 'service', service: 'todos' }, { ...subnets, taskDefinition: 'reference-mesh-todos:7' });
    expect(update).toEqual({
      cluster: 'cluster-2',
      service: 'todos',
      taskDefinition: 'reference-mesh-todos:7',
      desiredCount: 2,
      deploymentConfiguration: create.deploymentConfiguration,
      networkConfiguration: create.networkConfiguration,
      placementConstraints: undefined,
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
    });
  });
});
