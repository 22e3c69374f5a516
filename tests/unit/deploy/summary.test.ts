import type { Task } from '@aws-sdk/client-ecs';
import { SUMMARY_TASKS_PER_SERVICE, summarizeDeployment } from '../../../layers/deploy/summary';
import { renderSummary } from '../../../cli/summary';
import { fakeSsm } from './fake-ssm';

const ARN = (i: number) => `arn:aws:ecs:us-east-1:000000000000:task/cluster-1/${String(i).padStart(32, '0')}`;

/** One service of 25 running tasks, ECS and Consul as fakes of the few calls the summary makes. */
function deps() {
  const tasks: Task[] = Array.from({ length: 25 }, (_, i) => ({ taskArn: ARN(i), group: 'service:users', healthStatus: 'HEALTHY', attachments: [] }));
  return {
    ecs: {
      describeServices: async (cluster: string, names: readonly string[]) =>
        names.map((name) => ({ serviceName: name, status: 'ACTIVE', desiredCount: name === 'users' ? 25 : 1, runningCount: name === 'users' ? 25 : 1, taskDefinition: `${name}:1` })),
      listTaskArns: async (query: { cluster: string }) => (query.cluster === 'cluster-1' ? tasks.map((t) => t.taskArn!) : []),
      describeTasks: async (_cluster: string, arns: readonly string[]) => tasks.filter((t) => arns.includes(t.taskArn!)),
    },
    ssm: fakeSsm(),
    consul: { healthService: async () => [], leader: async () => '10.0.0.4:8300', peers: async () => ['10.0.0.4:8300'] },
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
