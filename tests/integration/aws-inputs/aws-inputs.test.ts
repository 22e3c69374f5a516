import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { createEcsApi } from '../../../layers/adapters/ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { stringify } from 'yaml';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildProgram } from '../../../cli/meshctl';
import { referenceSpec, ROOT, uploadContexts } from '../deploy/harness';
import { api, asJson, startApiCloud, until } from '../api/harness';
import { awsLimitIssues, type RecordedCall } from './aws-limits';
import { formatIssues, validateWithBotocore } from './botocore-gate';
import { largeSpec } from './large-spec';
import { createS3Api } from '../../../layers/adapters/s3';
import { createSfnApi } from '../../../layers/adapters/sfn';

/**
 * The inputs gate: every AWS request the code sends while real deployments and rollouts run on the local cloud is
 * recorded at the AWS endpoint (X-Amz-Target and body, before the emulator serves it), then checked against
 * botocore's own service models (validate_inputs.py) and against AWS's documented limits that the models do not
 * encode (aws-limits.ts). The inputs come from the code as it is, not from copies: whatever a builder adds
 * tomorrow is checked too.
 *
 * Scenario: the reference spec deployed through the HTTP API, a rollout forward and one rolled back, a deployment
 * cancelled, a change deployed onto the running mesh, and a large spec at the edges of the schema deployed with `meshctl deploy
 * --state-machine-arn` (the CLI's own StartExecution), then torn down with purge (`DELETE /mesh`).
 */
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let cloud: LocalCloud;
const calls: RecordedCall[] = [];
let origin = 'start';
let tmp: string;

beforeAll(async () => {
  cloud = await startApiCloud();
  cloud.aws.onCall((call) => calls.push({ ...call, origin }));
  tmp = mkdtempSync(join(tmpdir(), 'aws-inputs-'));
}, 90_000);

afterAll(async () => {
  await cloud?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function deployThroughApi(spec: Record<string, unknown>): Promise<void> {
  await uploadContexts(cloud, spec);
  const started = await api(cloud, '/deployments?pollSeconds=0&maxRounds=400', asJson(spec));
  expect(started.status).toBe(202);
  const view = await until(cloud, `/deployments/${started.body.id}`, undefined, 90_000);
  expect({ status: view.status, failure: view.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
}

async function rollout(image: string, expected: string): Promise<void> {
  const started = await api(cloud, '/services/users/rollouts?pollSeconds=0&maxRounds=200', asJson({ image, bakeSeconds: 0 }));
  expect(started.status).toBe(202);
  const view = await until(cloud, `/services/users/rollouts/${started.body.id}`, undefined, 60_000);
  expect(view.status).toBe(expected);
}

describe('every AWS input the code builds passes botocore and AWS limits', () => {
  it('records the calls of deployments and rollouts of the reference spec', async () => {
    origin = 'reference deploy';
    await deployThroughApi(referenceSpec());
    origin = 'rollout users:1.1.0';
    await rollout('users:1.1.0', 'SUCCEEDED');
    origin = 'rollout users:fail-crash (rolled back)';
    await rollout('users:fail-crash', 'ROLLED_BACK');
    origin = 'deployment cancelled';
    await uploadContexts(cloud, referenceSpec());
    const cancelled = await api(cloud, '/deployments?pollSeconds=0&maxRounds=400', asJson(referenceSpec((spec) => (spec.clusters[0].services[1].desiredCount = 1))));
    expect(cancelled.status).toBe(202);
    expect((await api(cloud, `/deployments/${cancelled.body.id}/cancel`, { method: 'POST' })).status).toBe(202);
    expect((await until(cloud, `/deployments/${cancelled.body.id}`)).status).toBe('ABORTED');
    origin = 'reference deploy, changed';
    await deployThroughApi(
      referenceSpec((spec) => {
        spec.clusters[0].services[0].env = { LOG_LEVEL: 'debug', FEATURE_FLAGS: 'a,b,c' };
        spec.clusters[1].services[1].desiredCount = 2;
      }),
    );
  }, 240_000);

  it('records the calls of a large spec at the edges of the schema, deployed with meshctl', async () => {
    origin = 'large spec via meshctl';
    const file = join(tmp, 'large.yaml');
    writeFileSync(file, stringify(largeSpec()));
    const sfn = new SFNClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials });
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials });
    const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials });
    let stdout = '';
    let stderr = '';
    const program = buildProgram({
      stdout: { write: (s: string) => (stdout += s), isTTY: false },
      stderr: { write: (s: string) => (stderr += s) },
      env: { BUILD_SOURCE_BUCKET: cloud.buckets.BuildSourceBucket },
      clients: () => ({ sfn: createSfnApi(sfn), ecs: createEcsApi(ecs), s3: createS3Api(s3) }),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      pollIntervalMs: 100,
    });
    process.exitCode = undefined;
    await program.parseAsync([
      'node', 'meshctl', 'deploy', file, '--state-machine-arn', cloud.stateMachines.deployMesh, '--context-root', ROOT,
      '--poll-seconds', '1', '--max-rounds', '400', '--json',
    ]);
    const code = process.exitCode ?? 0;
    process.exitCode = undefined;
    sfn.destroy();
    ecs.destroy();
    expect({ code, stderr, tail: code === 0 ? '' : stdout.slice(-2000) }).toEqual({ code: 0, stderr: '', tail: '' });
  }, 300_000);

  it('records the calls of a teardown of that large mesh with purge, through DELETE /mesh', async () => {
    origin = 'teardown (purge) via DELETE /mesh';
    const started = await api(cloud, '/mesh?mesh=reference-mesh&purge=true&pollSeconds=0&maxRounds=400', { method: 'DELETE' });
    expect(started.status).toBe(202);
    const view = await until(cloud, `/mesh/destroys/${started.body.id}`, undefined, 120_000);
    expect({ status: view.status, failure: view.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
  }, 180_000);

  it('finds no problem in any recorded input: botocore models and documented limits', () => {
    const targets = new Set(calls.map((c) => c.target));
    // The scenario reached every kind of write the brief lists (a gate that saw none of them would pass vacuously).
    for (const op of [
      'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition',
      'AmazonEC2ContainerServiceV20141113.CreateService',
      'AmazonEC2ContainerServiceV20141113.UpdateService',
      'AmazonEC2ContainerServiceV20141113.CreateCluster',
      'AmazonEC2ContainerServiceV20141113.DescribeServices',
      'AmazonSSM.PutParameter',
      'CodeBuild_20161006.StartBuild',
      'AWSStepFunctions.StartExecution',
      'AWSStepFunctions.StopExecution',
      'AmazonEC2ContainerServiceV20141113.DeleteService',
      'AmazonEC2ContainerServiceV20141113.DeleteCluster',
      'AmazonEC2ContainerServiceV20141113.DeregisterTaskDefinition',
      'AmazonEC2ContainerServiceV20141113.ListTaskDefinitionFamilies',
      'AmazonSSM.DeleteParameters',
      'AmazonEC2ContainerRegistry_V20150921.DeleteRepository',
    ]) {
      expect(targets).toContain(op);
    }
    const report = validateWithBotocore(calls);
    expect(report.checked).toBe(calls.length);
    const issues = [...report.errors, ...calls.flatMap(awsLimitIssues)];
    expect(formatIssues(issues)).toBe('');
  });
});

