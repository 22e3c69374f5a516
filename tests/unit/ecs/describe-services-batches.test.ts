import { DescribeServicesCommand, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';
import type { ConsulApi } from '../../../layers/adapters/consul';
import { describeServices } from '../../../layers/adapters/ecs-services';
import { checkStage } from '../../../layers/deploy/stage';
import { summarizeDeployment } from '../../../layers/deploy/summary';
import type { DeploymentPlan, StageStatus } from '../../../layers/deploy/types';
import { MeshSpecSchema, type MeshSpec } from '../../../layers/domain/spec/schema';

/**
 * A cluster of a mesh may run more than 10 services, and DescribeServices takes at most 10 a call (ECS answers
 * InvalidParameterException "services can have at most 10 items" otherwise). The stage check and the summary
 * describe every service of a cluster: they must do it in batches.
 */
const SERVICE_COUNT = 12;
const names = Array.from({ length: SERVICE_COUNT }, (_, i) => `svc-${i}`);

const spec: MeshSpec = MeshSpecSchema.parse({
  name: 'big',
  consul: { servers: { count: 1 } },
  clusters: [{ name: 'wide', services: names.map((name) => ({ name, image: `${name}:1.0.0`, port: 8080 })) }],
});

/** An ECS that keeps the DescribeServices limit, with every service stable and no tasks. */
function fakeEcs() {
  const describeBatches: number[] = [];
  const send = jest.fn(async (command: unknown) => {
    if (command instanceof DescribeServicesCommand) {
      const requested = command.input.services ?? [];
      describeBatches.push(requested.length);
      if (requested.length > 10) throw Object.assign(new Error('services can have at most 10 items.'), { name: 'InvalidParameterException' });
      const services: Service[] = requested.map((serviceName) => ({
        serviceName,
        status: 'ACTIVE',
        desiredCount: 0,
        runningCount: 0,
        taskDefinition: `arn:aws:ecs:us-east-1:111122223333:task-definition/big-${serviceName}:1`,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }],
      }));
      return { services, failures: [] };
    }
    if (command instanceof ListTasksCommand) return { taskArns: [] };
    return {};
  });
  return { ecs: { send } as never, describeBatches };
}

const consul = {
  leader: async () => '10.0.0.1:8300',
  peers: async () => ['10.0.0.1:8300'],
  healthService: async () => [],
} as unknown as ConsulApi;

describe('services of a cluster beyond one DescribeServices call', () => {
  it('describeServices asks 10 at a time and returns every service, in order', async () => {
    const { ecs, describeBatches } = fakeEcs();
    const services = await describeServices(ecs, 'wide', names);
    expect(describeBatches).toEqual([10, 2]);
    expect(services.map((s) => s.serviceName)).toEqual(names);
  });

  it('the stage check of a cluster of 12 services reads them all and reports the stage ready', async () => {
    const { ecs, describeBatches } = fakeEcs();
    const previous: StageStatus = {
      stage: 'services',
      cluster: 'wide',
      ready: false,
      round: 0,
      waitingFor: '',
      services: names.map((name) => ({ name, action: 'create', taskDefinitionArn: '', desiredCount: 0, runningCount: 0, pendingCount: 0 })),
    };
    const status = await checkStage(spec, previous, { ecs, consul });
    expect(Math.max(...describeBatches)).toBeLessThanOrEqual(10);
    expect({ ready: status.ready, services: status.services.length }).toEqual({ ready: true, services: SERVICE_COUNT });
  });

  it('the summary lists every service of a cluster of 12', async () => {
    const { ecs, describeBatches } = fakeEcs();
    const ssm = { send: jest.fn(async () => ({ Parameter: { Value: JSON.stringify({ holder: 'someone-else', expiresAt: 0 }) } })) } as never;
    const plan = {
      mesh: 'big',
      deploymentId: 'd-20261206000000-abcdef',
      spec,
      serverCluster: { cluster: 'consul-server', services: ['consul-server'] },
      serviceClusters: [{ cluster: 'wide', services: names }],
      ingressCluster: null,
      lockHolder: 'execution',
    } as unknown as DeploymentPlan;
    const summary = await summarizeDeployment({ plan, images: [], executionId: 'execution', stages: [] }, { ecs, ssm, consul });
    expect(Math.max(...describeBatches)).toBeLessThanOrEqual(10);
    expect(summary.clusters.find((c) => c.cluster === 'wide')?.services.map((s) => s.name)).toEqual(names);
  });
});
