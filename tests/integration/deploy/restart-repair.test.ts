import type { LocalCloud } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, referenceSpec, runningTaskArns } from './harness';
import { portsOf, startPersistentCloud, tempDir } from '../local/persistence/harness';

/**
 * After the local cloud restarts with `--data-dir`, ECS runs fresh tasks while Consul's catalog still lists the old
 * ones. The first deployment repairs that before it reports success: every instance in the catalog is a running task.
 * (A file of its own: it starts from an empty data directory, and the Lambda runtime keeps module state per file.)
 */
describe('the first deployment after a restart', () => {
  it('removes the registrations of tasks that no longer run before it reports success', async () => {
    const dir = tempDir('restart-repair-');
    const first = await startPersistentCloud(dir.path);
    const ports = portsOf(first);
    let second: LocalCloud | undefined;
    try {
      expect((await deploy(first, referenceSpec())).status).toBe('SUCCEEDED');
      await first.stop();
      second = await startPersistentCloud(dir.path, { ports });
      const cloud = second;

      const run = await deploy(cloud, referenceSpec());
      expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
      const token = await bootstrapTokenOf(cloud);
      for (const service of ['users', 'activities', 'todos', 'notifications']) {
        const entries = (await (await fetch(`${cloud.endpoints.consul}/v1/catalog/service/${service}`, { headers: { 'X-Consul-Token': token } })).json()) as Array<{
          ServiceMeta: Record<string, string>;
        }>;
        const registered = entries.map((e) => e.ServiceMeta['task-arn']).sort();
        const cluster = service === 'users' || service === 'activities' ? 'cluster-1' : 'cluster-2';
        const running = runningTaskArns(cloud, cluster, service);
        expect({ service, registered }).toEqual({ service, registered: running });
      }
      // The summary says what was repaired, and that this was not a deployment that changed nothing.
      expect(run.output!.repaired!.deregistered).toBeGreaterThan(0);
      expect(run.output!.noChange).toBe(false);
    } finally {
      await second?.stop();
      dir.remove();
    }
  }, 180_000);
});
