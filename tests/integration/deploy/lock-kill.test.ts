import { cpSync } from 'node:fs';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, sfnClient } from './harness';
import { LOCK, lockHolder, SLOW, startAndReachServers } from './lock-support';
import { portsOf, startPersistentCloud, tempDir } from '../local/persistence/harness';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';

/**
 * The local cloud killed in the middle of a deployment (`--data-dir`): what it last saved still has the execution
 * RUNNING. Restarted, the execution comes back ABORTED, Step Functions reports that on EventBridge, and the event
 * path releases the mesh lock before anyone asks for it; the next deployment starts at once. (A file of its own:
 * the Lambda runtime keeps the handlers' module state per test file, bound to the first cloud's ports.)
 */
describe('the mesh lock after the local cloud was killed', () => {
  it('is released by the event path once the killed deployment comes back ABORTED', async () => {
    const dir = tempDir('lock-kill-');
    const killedFiles = tempDir('lock-kill-files-');
    const first = await startPersistentCloud(dir.path, { ecsDelays: SLOW });
    const ports = portsOf(first);
    let second: LocalCloud | undefined;
    try {
      const interrupted = await startAndReachServers(first);
      // The files as a kill leaves them: saved while the deployment ran, and never again.
      await first.persistence!.flush();
      cpSync(dir.path, killedFiles.path, { recursive: true });
      await first.stop();
      second = await startPersistentCloud(killedFiles.path, { ports });

      expect((await sfnClient(second).send(new DescribeExecutionCommand({ executionArn: interrupted }))).status).toBe('ABORTED');
      const deadline = Date.now() + 10_000;
      while ((await lockHolder(second)) !== undefined) {
        if (Date.now() > deadline) throw new Error(`${LOCK} is still held by ${await lockHolder(second)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const next = await deploy(second, referenceSpec(), { timeoutMs: 60_000 });
      expect({ status: next.status, error: next.error, cause: next.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    } finally {
      await second?.stop();
      dir.remove();
      killedFiles.remove();
    }
  }, 120_000);
});
