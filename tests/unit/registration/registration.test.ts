import { buildRegistration, TaskNotRegistrableError } from '../../../layers/domain/registration';
import { referenceSpec } from '../ecs/support';
import { taskOf } from './support';

const TASK_ID = '4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c';
const TASK_ARN = `arn:aws:ecs:us-east-1:111122223333:task/cluster-1/${TASK_ID}`;

describe('buildRegistration', () => {
  const spec = referenceSpec();

  it('registers a running service task: synthetic node, instance, sidecar proxy and their checks', () => {
    const meta = {
      mesh: 'reference-mesh',
      cluster: 'cluster-1',
      'task-arn': TASK_ARN,
      'task-version': '4',
      'deployment-id': 'ecs-svc/9223370545345641169',
      'task-definition-arn': 'arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:3',
    };
    expect(buildRegistration(spec, taskOf('task-running'))).toEqual({
      node: { Node: 'cluster-1', Address: '127.0.0.1', Datacenter: 'dc1', NodeMeta: { 'synthetic-node': 'true', mesh: 'reference-mesh' } },
      services: [
        { ID: `users-${TASK_ID}`, Service: 'users', Address: '10.0.1.139', Port: 8080, Tags: ['cluster-1'], Meta: meta },
        {
          ID: `users-${TASK_ID}-sidecar-proxy`,
          Service: 'users-sidecar-proxy',
          Kind: 'connect-proxy',
          Address: '10.0.1.139',
          Port: 20000,
          Tags: ['cluster-1'],
          Meta: meta,
          Proxy: {
            DestinationServiceName: 'users',
            DestinationServiceID: `users-${TASK_ID}`,
            LocalServiceAddress: '127.0.0.1',
            LocalServicePort: 8080,
            Upstreams: [{ DestinationType: 'service', DestinationName: 'todos', LocalBindAddress: '127.0.0.1', LocalBindPort: 1234 }],
          },
        },
      ],
      checks: [
        {
          Node: 'cluster-1',
          CheckID: `users-${TASK_ID}:ecs-health`,
          Name: 'ECS task health',
          Status: 'passing',
          Output: 'ECS task RUNNING (desired RUNNING), health HEALTHY',
          ServiceID: `users-${TASK_ID}`,
          ServiceName: 'users',
        },
        {
          Node: 'cluster-1',
          CheckID: `users-${TASK_ID}-sidecar-proxy:ecs-health`,
          Name: 'ECS task health',
          Status: 'passing',
          Output: 'ECS task RUNNING (desired RUNNING), health HEALTHY',
          ServiceID: `users-${TASK_ID}-sidecar-proxy`,
          ServiceName: 'users-sidecar-proxy',
        },
      ],
    });
  });

  it('keeps every Meta value a string, as Consul requires', () => {
    const reg = buildRegistration(spec, taskOf('task-running'));
    for (const s of reg.services) for (const v of Object.values(s.Meta)) expect(typeof v).toBe('string');
  });

  it('registers an unhealthy task as critical and a proxy-only PENDING task as critical', () => {
    expect(buildRegistration(spec, taskOf('task-unhealthy')).checks.map((c) => c.Status)).toEqual(['critical', 'critical']);
    expect(buildRegistration(spec, taskOf('task-pending-proxy-running')).checks.map((c) => c.Status)).toEqual(['critical', 'critical']);
  });

  it('registers a service without upstreams with an empty upstream list', () => {
    const activities = taskOf('task-running', (d) => void (d.group = 'service:activities'));
    const proxy = buildRegistration(spec, activities).services[1];
    expect(proxy.Proxy).toMatchObject({ DestinationServiceName: 'activities', LocalServicePort: 8081, Upstreams: [] });
  });

  it('registers a gateway task as one ingress-gateway instance at its first listener port', () => {
    const reg = buildRegistration(spec, taskOf('task-ingress-running'));
    expect(reg.node.Node).toBe('ingress');
    expect(reg.services).toEqual([
      expect.objectContaining({ ID: 'ingress-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', Service: 'ingress-gateway', Kind: 'ingress-gateway', Address: '10.0.3.15', Port: 80 }),
    ]);
    expect(reg.services[0].Proxy).toBeUndefined();
    expect(reg.checks.map((c) => c.CheckID)).toEqual(['ingress-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b:ecs-health']);
  });

  it('takes the deployment id and, for tasks without an ENI, the address from the options', () => {
    const hostTask = taskOf('task-running', (d) => {
      d.attachments = [];
      for (const c of d.containers as Array<Record<string, unknown>>) c.networkInterfaces = [];
    });
    const reg = buildRegistration(spec, hostTask, { deploymentId: 'deploy-42', address: '10.0.9.9' });
    expect(reg.services.map((s) => s.Address)).toEqual(['10.0.9.9', '10.0.9.9']);
    expect(reg.services[0].Meta['deployment-id']).toBe('deploy-42');
    expect(() => buildRegistration(spec, hostTask)).toThrow(TaskNotRegistrableError);
  });

  it('refuses server tasks and tasks outside the mesh', () => {
    expect(() => buildRegistration(spec, taskOf('task-server-running'))).toThrow(TaskNotRegistrableError);
    expect(() => buildRegistration(spec, taskOf('task-outside-mesh'))).toThrow(TaskNotRegistrableError);
  });
});
