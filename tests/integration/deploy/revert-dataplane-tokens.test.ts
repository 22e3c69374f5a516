import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud } from './harness';
import { stoppedTasks } from './stopped-tasks';

/**
 * The local cloud runs stand-ins of the processes inside the tasks (local/task-processes). This reverts the ACL step
 * to one that creates no dataplane token in Consul (the SSM parameters still hold SecretIDs, which ECS injects, but
 * Consul never heard of them) and watches the deployment fail as on AWS: each dataplane's bootstrap call is refused
 * (`ACL not found`), consul-dataplane exits 1, ECS stops the task, the circuit breaker trips.
 */
jest.mock('../../../layers/domain/consul/acl-policies', () => {
  const actual = jest.requireActual('../../../layers/domain/consul/acl-policies');
  return {
    ...actual,
    buildAclPlan: (...args: unknown[]) => {
      const plan = actual.buildAclPlan(...args);
      return { ...plan, tokens: plan.tokens.filter((t: { role: string }) => !t.role.startsWith('dataplane/')) };
    },
  };
});

describe('reverted: the dataplanes\' tokens are not created in Consul', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('stops the tasks as their dataplane exits on the servers\' "ACL not found", and fails the deployment at the services', async () => {
    const run = await deploy(cloud, referenceSpec(), { timeoutMs: 90_000 });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DeploymentFailed');
    const cause = JSON.parse(run.cause!);
    expect(cause.stage).toBe('services');
    expect(cause.message).toMatch(/container consul-dataplane exited with code 1/);
    const tasks = [...(await stoppedTasks(cloud, 'cluster-1')), ...(await stoppedTasks(cloud, 'cluster-2'))];
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks[0]).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(tasks[0].containers?.find((c) => c.name === 'consul-dataplane')).toMatchObject({
      exitCode: 1,
      reason: 'failed to get bootstrap config: failed to get envoy bootstrap params: rpc error: code = PermissionDenied desc = ACL not found',
    });
  }, 120_000);
});
