import type { ConsulApi, HealthEntry } from '../../../layers/adapters/consul';
import { checkStage, type CheckEcs } from '../../../layers/deploy/stage';
import type { StageStatus } from '../../../layers/deploy/types';

/**
 * The mesh gateway stage's wait for Consul: every running gateway task registered, passing, and with the spec's WAN
 * address (a task registered while the event handlers still held the previous spec carries the previous `wan`).
 */
const TASK = 'ba8a1b09b0164c93a2b7e951071c62b3';
const NLB = 'east-mesh-gw.elb.us-east-1.amazonaws.com';

const ecs: CheckEcs = {
  async describeServices() {
    return [{ serviceName: 'mesh-gateway', status: 'ACTIVE', desiredCount: 1, runningCount: 1, pendingCount: 0, deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }] }];
  },
  async listTaskArns() {
    return [`arn:aws:ecs:us-east-1:000000000000:task/mesh-gateway/${TASK}`];
  },
  async describeTasks() {
    return [];
  },
} as unknown as CheckEcs;

function consulWith(wan: string): ConsulApi {
  const entry: HealthEntry = {
    Node: { Node: 'mesh-gateway', Address: '127.0.0.1' },
    Service: { ID: `mesh-gateway-${TASK}`, Service: 'mesh-gateway', Kind: 'mesh-gateway', Address: '10.0.0.16', Port: 8443, TaggedAddresses: { lan: { Address: '10.0.0.16', Port: 8443 }, wan: { Address: wan, Port: 8443 } } },
    Checks: [{ CheckID: 'c', Name: 'c', Status: 'passing', ServiceID: `mesh-gateway-${TASK}`, ServiceName: 'mesh-gateway', Node: 'mesh-gateway' }],
  };
  return { healthService: async () => [entry] } as unknown as ConsulApi;
}

const started = (expectedWan?: StageStatus['expectedWan']): StageStatus => ({
  stage: 'mesh-gateway',
  cluster: 'mesh-gateway',
  ready: false,
  round: 0,
  waitingFor: 'ECS to start the tasks',
  services: [{ name: 'mesh-gateway', action: 'update', desiredCount: 1, runningCount: 0, pendingCount: 0 }],
  ...(expectedWan ? { expectedWan } : {}),
});

describe('the mesh gateway stage waits for the spec\'s WAN address in Consul', () => {
  it('is not ready while the gateway task is registered with the previous WAN address (nlb mode), ready once it carries the NLB\'s', async () => {
    const stale = await checkStage(started({ address: NLB, port: 8443 }), { ecs, consul: consulWith('10.0.0.16') });
    expect(stale).toMatchObject({ ready: false, waitingFor: `Consul registrations: mesh-gateway (0/1 passing in Consul with WAN address ${NLB}:8443)` });
    expect(await checkStage(started({ address: NLB, port: 8443 }), { ecs, consul: consulWith(NLB) })).toMatchObject({ ready: true, waitingFor: '' });
  });

  it('in private mode wants the task\'s own address as WAN address', async () => {
    expect(await checkStage(started({ port: 8443 }), { ecs, consul: consulWith(NLB) })).toMatchObject({ ready: false });
    expect(await checkStage(started({ port: 8443 }), { ecs, consul: consulWith('10.0.0.16') })).toMatchObject({ ready: true });
  });

  it('checks no address when the stage has no expectation (a status from before it existed, other stages)', async () => {
    expect(await checkStage(started(), { ecs, consul: consulWith('10.9.9.9') })).toMatchObject({ ready: true });
  });
});
