import { benchTask, catalogRegisterBodies } from '../../../bench/consul-acl/registration';
import { buildRegistration, type TaskRegistration } from '../../../layers/domain/registration';
import { loadMeshSpec } from '../../../layers/domain/spec';

describe('consul-acl registrations', () => {
  const spec = loadMeshSpec('examples/mesh.yaml');
  const cluster = spec.clusters.find((c) => c.name === 'cluster-1')!;
  const users = cluster.services.find((s) => s.name === 'users')!;

  it('builds a running, healthy task of the service that the product registers as instance and sidecar', () => {
    const registration = buildRegistration(spec, benchTask(spec, 'cluster-1', users, 258));
    const taskId = '00000000000000000000000000000102';
    expect(registration.node).toMatchObject({ Node: 'cluster-1', NodeMeta: { 'synthetic-node': 'true', mesh: spec.name } });
    expect(registration.services.map((s) => [s.ID, s.Service, s.Kind, s.Address])).toEqual([
      [`users-${taskId}`, 'users', undefined, '10.0.1.2'],
      [`users-${taskId}-sidecar-proxy`, 'users-sidecar-proxy', 'connect-proxy', '10.0.1.2'],
    ]);
    expect(registration.checks.map((c) => c.Status)).toEqual(['passing', 'passing']);
    expect(benchTask(spec, 'cluster-1', users, 1).taskArn).not.toBe(benchTask(spec, 'cluster-1', users, 2).taskArn);
    expect(() => benchTask(spec, 'cluster-1', users, 65_536)).toThrow(RangeError);
  });

  it('sends one catalog register per service, the instance first, each with the node and only its own checks', () => {
    const registration = buildRegistration(spec, benchTask(spec, 'cluster-1', users, 7));
    const [instance, sidecar] = registration.services;
    const bodies = catalogRegisterBodies(registration);

    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(body).toMatchObject({ Node: 'cluster-1', Address: registration.node.Address, Datacenter: spec.datacenter, NodeMeta: registration.node.NodeMeta });
    }
    expect(bodies[0].Service).toEqual(instance);
    expect(bodies[0].Checks.map((c) => c.ServiceID)).toEqual([instance.ID]);
    expect(bodies[1].Service).toEqual(sidecar);
    expect(bodies[1].Service.Proxy?.DestinationServiceID).toBe(instance.ID);
    expect(bodies[1].Checks.map((c) => c.ServiceID)).toEqual([sidecar.ID]);
  });

  it('refuses a registration whose check names a service it does not hold', () => {
    const registration = buildRegistration(spec, benchTask(spec, 'cluster-1', users, 7));
    const broken: TaskRegistration = { ...registration, checks: [...registration.checks, { ...registration.checks[0], CheckID: 'x', ServiceID: 'elsewhere' }] };
    expect(() => catalogRegisterBodies(broken)).toThrow(/check x names service elsewhere/);
  });
});
