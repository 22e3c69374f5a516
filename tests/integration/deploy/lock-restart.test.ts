import type { LocalCloud } from '../../../local/cloud';
import { deploy, referenceSpec } from './harness';
import { lockHolder, SLOW, startAndReachServers } from './lock-support';
import { portsOf, startPersistentCloud, tempDir } from '../local/persistence/harness';

/**
 * A deployment interrupted by a restart of the local cloud (`--data-dir`) comes back ABORTED, never having run its
 * failure path: the next deployment takes the lock over at once. (A file of its own: the Lambda runtime keeps the
 * handlers' module state per test file, and this one must start from an empty data directory.)
 */
describe('the mesh lock after a restart', () => {
  it('is taken over after the local cloud restarted with --data-dir in the middle of a deployment', async () => {
    const dir = tempDir('lock-restart-');
    const first = await startPersistentCloud(dir.path, { ecsDelays: SLOW });
    const ports = portsOf(first);
    let second: LocalCloud | undefined;
    try {
      const interrupted = await startAndReachServers(first);
      await first.stop();
      second = await startPersistentCloud(dir.path, { ports });
      expect(await lockHolder(second)).toBe(interrupted);

      const next = await deploy(second, referenceSpec(), { timeoutMs: 60_000 });
      expect({ status: next.status, error: next.error, cause: next.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    } finally {
      await second?.stop();
      dir.remove();
    }
  }, 120_000);
});
