import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import { buildProgram } from '../../../cli/meshctl';
import { defaultCliDeps } from '../../../cli/cli-deps';
import { LOCAL_API_TOKEN } from '../../../cli/http-backend';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { resolve } from 'node:path';
import { deploy, referenceSpec, ROOT, sfnClient } from './harness';
import { ctx, LOCK, lockHolder, startAndReachServers, startSlowCloud } from './lock-support';
import { createS3Api } from '../../../layers/adapters/s3';

/**
 * Nothing can wedge (DESIGN.md section 9): the mesh lock names the execution that holds it, and a lock whose
 * execution is no longer running is taken over by the next deployment at once, however that execution ended.
 */

// One cloud for the file: the Lambda runtime keeps the handlers' SDK clients (bound to the first cloud's ports) for
// the whole file.
let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startSlowCloud();
});
afterAll(async () => {
  await cloud?.stop();
});

describe('the mesh lock cannot wedge', () => {
  it('is taken over at once when the execution holding it was stopped without running its failure path', async () => {
    {
      const stopped = await startAndReachServers(cloud);
      // StopExecution straight through Step Functions (the console, the AWS CLI): no Catch, no RecordFailure.
      await sfnClient(cloud).send(new StopExecutionCommand({ executionArn: stopped, error: 'Stopped', cause: 'by hand' }));
      // The event path may have released it already (lock-events.test.ts); if not, the next deployment takes it over.
      expect([stopped, undefined]).toContain(await lockHolder(cloud));

      const next = await deploy(cloud, referenceSpec(), { timeoutMs: 60_000 });
      expect({ status: next.status, error: next.error, cause: next.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
      expect(await lockHolder(cloud)).toBeUndefined();
    }
  }, 120_000);

  it('is taken over when its holder no longer exists, and still refuses while the holder runs, naming it and how to cancel', async () => {
    {
      const running = await startAndReachServers(cloud);
      const refused = await deploy(cloud, referenceSpec((s) => (s.clusters[0].services[0].desiredCount = 1)), { timeoutMs: 30_000 });
      expect(refused.status).toBe('FAILED');
      expect(refused.error).toBe('ConcurrentOperation');
      expect(JSON.parse(refused.cause!).message).toEqual(expect.stringContaining(running));
      expect(JSON.parse(refused.cause!).message).toEqual(expect.stringContaining('meshctl cancel'));
      await sfnClient(cloud).send(new StopExecutionCommand({ executionArn: running }));

      // A failure no Catch sees (States.DataLimitExceeded, a deleted execution): the lock names an execution that
      // does not run; written with hours left before it expires.
      const gone = 'arn:aws:states:us-east-1:000000000000:execution:consul-mesh-local-deploy-mesh:reference-mesh-d-gone';
      await cloud.ssm.operations.PutParameter(
        { Name: LOCK, Type: 'String', Overwrite: true, Value: JSON.stringify({ holder: gone, expiresAt: Date.now() + 3 * 3600_000 }) },
        ctx,
      );
      const next = await deploy(cloud, referenceSpec(), { timeoutMs: 60_000 });
      expect({ status: next.status, error: next.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    }
  }, 120_000);
});

/** The holder of the mesh lock, once a deployment has taken it. */
async function waitForLock(): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const holder = await lockHolder(cloud);
    if (holder) return holder;
    if (Date.now() > deadline) throw new Error('no deployment took the mesh lock');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('meshctl cancel', () => {
  async function meshctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    // meshctl uploads the build contexts with the caller's AWS credentials: here the local cloud's S3.
    const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const program = buildProgram({
      stdout: { write: (s: string) => (stdout += s), isTTY: false },
      stderr: { write: (s: string) => (stderr += s) },
      env: { ...process.env, BUILD_SOURCE_BUCKET: cloud.buckets.BuildSourceBucket },
      clients: () => ({ ...defaultCliDeps().clients(), s3: createS3Api(s3) }),
    });
    process.exitCode = undefined;
    await program.parseAsync(['node', 'meshctl', ...args, '--api-url', cloud.endpoints.httpApi, '--token', LOCAL_API_TOKEN]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, stdout, stderr };
  }

  it('stops the running deployment through the HTTP API; the next deployment starts at once; a second cancel finds none', async () => {
    const started = await meshctl('deploy', resolve(ROOT, 'examples/mesh.yaml'), '--context-root', ROOT, '--no-wait', '--poll-seconds', '1');
    expect(started.code).toBe(0);
    const holder = await waitForLock();
    const cancelled = await meshctl('cancel', '--mesh', 'reference-mesh');
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toMatch(/^Deployment d-\d{14}-\w{6} of mesh "reference-mesh" cancelled/);
    expect((await sfnClient(cloud).send(new DescribeExecutionCommand({ executionArn: holder }))).status).toBe('ABORTED');

    expect(await meshctl('cancel', '--mesh', 'reference-mesh')).toMatchObject({
      code: 1,
      stderr: 'meshctl cancel: nothing runs in mesh "reference-mesh": no deployment, rollout, rotation or teardown to cancel\n',
    });
    const next = await deploy(cloud, referenceSpec(), { timeoutMs: 60_000 });
    expect(next.status).toBe('SUCCEEDED');
  }, 120_000);
});
