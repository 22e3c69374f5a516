import type { Task } from '@aws-sdk/client-ecs';
import { SUMMARY_TASKS_PER_SERVICE, summarizeDeployment, waitForHealthyServers } from '../../../layers/deploy/summary';
import { renderSummary } from '../../../cli/summary';
import { fakeSsm } from './fake-ssm';

const ARN = (i: number) => `arn:aws:ecs:us-east-1:000000000000:task/cluster-1/${String(i).padStart(32, '0')}`;

/** One service of 25 running tasks, ECS and Consul as fakes of the few calls the summary makes. */
function deps() {
  const tasks: Task[] = Array.from({ length: 25 }, (_, i) => ({ taskArn: ARN(i), group: 'service:users', healthStatus: 'HEALTHY', attachments: [] }));
  const server: Task = { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/consul-server/'.padEnd(86, 's'), group: 'service:consul-server', healthStatus: 'HEALTHY', attachments: [] };
  tasks.push(server);
  return {
    ecs: {
      describeServices: async (cluster: string, names: readonly string[]) =>
        names.map((name) => ({ serviceName: name, status: 'ACTIVE', desiredCount: name === 'users' ? 25 : 1, runningCount: name === 'users' ? 25 : 1, taskDefinition: `${name}:1` })),
      listTaskArns: async (query: { cluster: string }) => tasks.filter((t) => t.taskArn!.includes(`/${query.cluster}/`)).map((t) => t.taskArn!),
      describeTasks: async (_cluster: string, arns: readonly string[]) => tasks.filter((t) => arns.includes(t.taskArn!)),
    },
    ssm: fakeSsm(),
    consul: {
      healthService: async () => [],
      leader: async () => '10.0.0.4:8300',
      peers: async () => ['10.0.0.4:8300'],
      readPeering: async (name: string) =>
        name === 'west' ? { Name: 'west', State: 'ACTIVE', StreamStatus: { ImportedServices: ['todos'], ExportedServices: ['users', 'activities'] } } : undefined,
    },
  };
}

const plan = {
  mesh: 'shop',
  deploymentId: 'd-1',
  specHash: 'a'.repeat(64),
  images: [],
  serverCluster: { cluster: 'consul-server', services: ['consul-server'] },
  serviceClusters: [{ cluster: 'cluster-1', services: ['users'] }],
  ingressCluster: null,
  hasIngress: false,
  pollSeconds: 0,
  maxRounds: 3,
  lockName: '/consul-mesh/shop/lock',
  lockHolder: 'exec',
};

describe('the deployment summary', () => {
  it(`lists the first ${SUMMARY_TASKS_PER_SERVICE} tasks of a service and counts the rest, so the execution output stays small`, async () => {
    const summary = await summarizeDeployment({ plan, images: [], executionId: 'exec', stages: [] }, deps());
    const users = summary.clusters.find((c) => c.cluster === 'cluster-1')!.services[0];
    expect(users).toMatchObject({ name: 'users', runningCount: 25, tasksNotListed: 25 - SUMMARY_TASKS_PER_SERVICE });
    expect(users.tasks).toHaveLength(SUMMARY_TASKS_PER_SERVICE);
    expect(renderSummary(summary).some((line) => line.includes(`+${25 - SUMMARY_TASKS_PER_SERVICE} more`))).toBe(true);
  });
});

describe('the deployment summary of a peered mesh', () => {
  it('lists each cluster peer with its other mesh and region, role, state and imported and exported services; none without peers', async () => {
    const peers = [
      { name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor' as const },
      { name: 'south', mesh: 'south-mesh', region: 'sa-east-1', role: 'dialer' as const },
    ];
    const summary = await summarizeDeployment({ plan: { ...plan, peering: { removed: [], peers } }, images: [], executionId: 'exec', stages: [] }, deps());
    expect(summary.peerings).toEqual([
      { name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: ['activities', 'users'] },
      { name: 'south', mesh: 'south-mesh', region: 'sa-east-1', role: 'dialer', state: 'UNDEFINED', importedServices: [], exportedServices: [] },
    ]);
    const lines = renderSummary(summary);
    // The Raft servers are called servers; the cluster peers get their own table, last.
    expect(lines[1]).toBe('Consul leader: 10.0.0.4:8300 (1 server: 10.0.0.4:8300)');
    expect(lines[lines.findIndex((l) => l.startsWith('PEER')) - 1]).toBe('Peers (when the deployment ended):');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('PEER')));
    expect(table[0].split(/\s+/)).toEqual(['PEER', 'MESH', 'ROLE', 'STATE', 'IMPORTED', 'EXPORTED']);
    expect(table[1].split(/\s{2,}/)).toEqual(['west', 'west-mesh (eu-west-1)', 'acceptor', 'ACTIVE', 'todos', 'activities, users']);
    expect(table[2].split(/\s{2,}/)).toEqual(['south', 'south-mesh (sa-east-1)', 'dialer', 'UNDEFINED', '-', '-']);
    expect(table).toHaveLength(3);
    // meshctl status shows the peers as they are now instead.
    expect(renderSummary(summary, { peers: false }).some((l) => l.startsWith('PEER'))).toBe(false);

    const lonely = await summarizeDeployment({ plan: { ...plan, peering: { removed: [], peers: [] } }, images: [], executionId: 'exec', stages: [] }, deps());
    expect(lonely.peerings).toBeUndefined();
    expect(renderSummary(lonely).some((l) => l.startsWith('PEER'))).toBe(false);
  });
});

describe('waitForHealthyServers', () => {
  const servers = { cluster: 'consul-server', services: ['consul-server'] };
  const ecsWith = (healths: () => Array<Task['healthStatus']>) => ({
    listTaskArns: async () => healths().map((_, i) => `arn:aws:ecs:us-east-1:000000000000:task/consul-server/${i}`),
    describeTasks: async (_cluster: string, arns: readonly string[]) => arns.map((taskArn, i) => ({ taskArn, healthStatus: healths()[i] })),
  });

  it('returns once every server task is HEALTHY, polling meanwhile', async () => {
    let polls = 0;
    const healths = (): Array<Task['healthStatus']> => (polls < 2 ? ['HEALTHY', 'UNKNOWN', 'UNKNOWN'] : ['HEALTHY', 'HEALTHY', 'HEALTHY']);
    await waitForHealthyServers(servers, { ecs: ecsWith(healths) }, { sleep: async () => void (polls += 1) });
    expect(polls).toBe(2);
  });

  it('fails the deployment naming each server that is not HEALTHY once the wait is over', async () => {
    let clock = 0;
    const wait = waitForHealthyServers(servers, { ecs: ecsWith(() => ['HEALTHY', 'UNHEALTHY']) }, { timeoutMs: 5_000, now: () => clock, sleep: async (ms: number) => void (clock += ms) });
    await expect(wait).rejects.toMatchObject({ name: 'DeploymentFailed', message: expect.stringContaining('1: UNHEALTHY') });
    await expect(waitForHealthyServers(servers, { ecs: ecsWith(() => []) }, { timeoutMs: 0 })).rejects.toThrow('no server task runs');
  });
});
