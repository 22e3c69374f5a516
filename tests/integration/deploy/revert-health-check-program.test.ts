import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud } from './harness';
import { stoppedTasks } from './stopped-tasks';

/**
 * The local cloud runs stand-ins of the processes inside the tasks (local/task-processes). This reverts the fix that
 * made the default app health check use what the Alpine sample images have (busybox wget, no curl) and watches the
 * deployment fail as ECS makes it fail: every check of the container fails, the task is UNHEALTHY, the circuit
 * breaker trips.
 */
describe('reverted: the app health check calls a program the image lacks', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('fails the deployment naming the service, its tasks UNHEALTHY with the shell\'s "not found"', async () => {
    const run = await deploy(
      cloud,
      referenceSpec((spec) => {
        spec.clusters[0].services[0].healthCheck = { command: ['CMD-SHELL', 'curl -fsS http://127.0.0.1:8080/health || exit 1'] };
      }),
      { timeoutMs: 90_000 },
    );

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DeploymentFailed');
    const cause = JSON.parse(run.cause!);
    expect(cause).toMatchObject({ stage: 'services', service: 'users' });
    expect(cause.message).toMatch(/Task failed container health checks/);
    const users = (await stoppedTasks(cloud, 'cluster-1')).filter((t) => t.group === 'service:users');
    expect(users.length).toBeGreaterThan(0);
    expect(users[0].stoppedReason).toBe('Task failed container health checks');
    expect(users[0].containers?.find((c) => c.name === 'users')).toMatchObject({ healthStatus: 'UNHEALTHY', reason: 'health check: /bin/sh: 1: curl: not found' });
  }, 120_000);
});
