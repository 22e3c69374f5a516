import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec } from './harness';
import { lockHolder, SLOW, startAndReachServers } from './lock-support';
import { portsOf, startPersistentCloud, tempDir } from '../local/persistence/harness';

/**
 * A deployment interrupted by a restart of the local cloud (`--data-dir`) comes back ABORTED, never having run its
 * failure path: its lock is released by the event path, and the next deployment starts at once. (A file of its own: the Lambda runtime keeps the
 * handlers' module state per test file, and this one must start from an empty data directory.)
 */
describe('the mesh lock after a restart', () => {
  it('is released after the local cloud restarted with --data-dir in the middle of a deployment', async () => {
    const dir = tempDir('lock-restart-');
    const first = await startPersistentCloud(dir.path, { ecsDelays: SLOW });
    const ports = portsOf(first);
    let second: LocalCloud | undefined;
    try {
      const interrupted = await startAndReachServers(first);
      await first.stop();
      second = await startPersistentCloud(dir.path, { ports });
      // The shutdown stopped it (ABORTED); restored, Step Functions reports that, and the event path frees its lock.
      const deadline = Date.now() + 10_000;
      while ((await lockHolder(second)) === interrupted) {
        if (Date.now() > deadline) throw new Error(`the mesh lock is still held by ${interrupted}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await lockHolder(second)).toBeUndefined();

      const next = await deploy(second, referenceSpec(), { timeoutMs: 60_000 });
      expect({ status: next.status, error: next.error, cause: next.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    } finally {
      await second?.stop();
      dir.remove();
    }
  }, 120_000);
});
