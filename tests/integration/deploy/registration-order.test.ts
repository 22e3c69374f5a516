import type { LocalCloud } from '../../../local/cloud';
import { deploy, referenceSpec, startCloud } from './harness';
import { stoppedTasks } from './stopped-tasks';

/**
 * consul-dataplane asks the servers for its proxy's bootstrap parameters once, at start, and exits when the proxy is
 * not registered; the orchestrator registers the proxy from the task event that reports the dataplane running. The
 * local stand-in exits as consul-dataplane does, so only the entrypoint's wait for the registration keeps the tasks
 * alive when that event comes late.
 */
describe('a dataplane whose registering event comes late', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('waits for its proxy\'s registration instead of exiting: no task is replaced and the deployment succeeds', async () => {
    // Every task event reaches the registration Lambda 1.5 s late, long after the containers started.
    cloud.faults.set({ events: { duplicate: 0, delay: 1, delayMs: 1_500, reorder: 0, drop: 0 } });

    const run = await deploy(cloud, referenceSpec(), { timeoutMs: 90_000 });

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const stopped = [...(await stoppedTasks(cloud, 'cluster-1')), ...(await stoppedTasks(cloud, 'cluster-2')), ...(await stoppedTasks(cloud, 'ingress'))];
    expect(stopped.map((t) => ({ task: t.taskArn, stopCode: t.stopCode, containers: t.containers?.map((c) => `${c.name}: ${c.exitCode} ${c.reason ?? ''}`) }))).toEqual([]);
  }, 120_000);
});
