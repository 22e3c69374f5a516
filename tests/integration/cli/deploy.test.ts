import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { unzipSync } from 'fflate';
import { defaultCliDeps } from '../../../cli/cli-deps';
import { startPartialCloud, type PartialCloud, type S3Provider } from '@consul-mesh/local-cloud';
import { executionName, specHashPrefix } from '../../../layers/executions/execution-name';
import { buildProgram } from '../../../cli/meshctl';
import { StepFunctionsBackend } from '../../../layers/executions/sfn-backend';
import { prepareSpec } from '../../../cli/spec-input';
import { scriptedDeployRun, scriptedRemovalRun } from '../../unit/cli/support/history';
import { StepFunctionsStub } from './sfn-stub';
import { createS3Api } from '../../../layers/adapters/s3';
import { createSfnApi } from '../../../layers/adapters/sfn';
import { scratchDir } from '../../support/scratch';

const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:consul-mesh-local-deploy-mesh';
const SPEC = `
name: shop
consul:
  servers: { count: 3 }
  dataplane: { image: "hashicorp/consul-dataplane:1.6.0" }
clusters:
  - name: cluster-1
    services:
      - { name: users, build: { context: services/users }, port: 8080, desiredCount: 2 }
  - name: cluster-2
    services:
      - { name: todos, image: "todos:2.0.0", port: 8080 }
ingress:
  listeners: [{ port: 80, services: ["*"] }]
`;

let stub: StepFunctionsStub;
/** The local S3 meshctl uploads build contexts to (with the caller's credentials, as on AWS). */
let s3Cloud: PartialCloud;
let s3Provider: S3Provider;
let s3: S3Client;
let dir: string;
let specPath: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  stub = new StepFunctionsStub({ revealPerDescribe: 7, pageSize: 4 });
  const url = await stub.start();
  // The SDK resolves the endpoint, credentials and region from the environment, as it does for the local cloud.
  Object.assign(process.env, { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  // Step Functions directly (this suite's stub); without it meshctl goes through the HTTP API.
  process.env.DEPLOY_STATE_MACHINE_ARN = STATE_MACHINE;
  delete process.env.MESH_API_URL;
  const started = await startPartialCloud({ s3: true, logger: () => undefined });
  s3Cloud = started;
  s3Provider = started.s3;
  s3Provider.store.createBucket('build-sources', 'us-east-1');
  s3 = new S3Client(s3Cloud.clientConfig);
  process.env.BUILD_SOURCE_BUCKET = 'build-sources';
  dir = scratchDir('meshctl-deploy-');
  mkdirSync(join(dir, 'services', 'users'), { recursive: true });
  writeFileSync(join(dir, 'services', 'users', 'Dockerfile'), 'FROM node:22-alpine\nCOPY . .\n');
  specPath = join(dir, 'mesh.yaml');
  writeFileSync(specPath, SPEC);
});

afterAll(async () => {
  s3?.destroy();
  await s3Cloud?.close();
  await stub.close();
  process.env = savedEnv;
});

afterEach(() => {
  stub.executions.length = 0;
  stub.calls.length = 0;
  stub.nextRun = undefined;
  process.exitCode = undefined;
});

/** Runs `meshctl <args>` in-process with captured output, no real sleeping, a fixed clock and id suffix. */
async function meshctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const defaults = defaultCliDeps();
  const program = buildProgram({
    clients: () => ({ ...defaults.clients(), s3: createS3Api(s3) }),
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    sleep: async () => undefined,
    pollIntervalMs: 0,
    now: () => new Date('2025-03-04T05:06:07Z'),
    randomSuffix: () => 'k3x9q0',
  });
  process.exitCode = undefined;
  await program.parseAsync(['node', 'meshctl', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

/** The spec hash meshctl derives for SPEC (validated, with the build context hashed). */
function specHash12(): string {
  const prepared = prepareSpec(specPath, dir);
  if (!prepared.ok) throw new Error(`spec invalid: ${JSON.stringify(prepared.issues)}`);
  return specHashPrefix(prepared.spec);
}

describe('meshctl deploy through Step Functions (stub API, real SDK client)', () => {
  it('starts the execution, prints one line per stage transition and the summary, exits 0', async () => {
    stub.nextRun = () => scriptedDeployRun();
    const { code, stdout, stderr } = await meshctl('deploy', specPath, '--context-root', dir, '--poll-seconds', '2', '--max-rounds', '30');

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const start = stub.calls.find((c) => c.operation === 'StartExecution');
    const name = executionName('shop', specHash12(), 'd-20250304050607-k3x9q0');
    expect(start?.input).toMatchObject({ stateMachineArn: STATE_MACHINE, name });
    const input = JSON.parse(String(start?.input.input));
    expect(input).toMatchObject({ deploymentId: 'd-20250304050607-k3x9q0', settings: { pollSeconds: 2, maxRounds: 30 }, spec: { name: 'shop' } });
    expect(input.spec.clusters[0].services[0].build.contentHash).toMatch(/^[a-f0-9]{64}$/);
    // Before starting, the build context was uploaded: the zip of exactly the files its hash was computed from.
    const hash = input.spec.clusters[0].services[0].build.contentHash as string;
    const zip = s3Provider.store.getObject('build-sources', `contexts/${hash}.zip`);
    expect(Object.keys(unzipSync(new Uint8Array(zip.body)))).toEqual(['Dockerfile']);
    expect(stdout).toContain('Build contexts: 1 uploaded to s3://build-sources/contexts/, 0 already there');

    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Deploying mesh "shop" as d-20250304050607-k3x9q0 (execution ${name})`);
    // Each stage ends once; it is seen running unless it started and ended between two polls.
    for (const stage of ['plan', 'images', 'config', 'servers', 'services', 'ingress', 'summary']) {
      expect(lines.filter((l) => l === `[${stage}] running`).length).toBeLessThanOrEqual(1);
      expect(lines.filter((l) => l.startsWith(`[${stage}] done`))).toHaveLength(1);
    }
    expect(lines.filter((l) => /^\[\w+\] running$/.test(l)).length).toBeGreaterThanOrEqual(4);
    expect(lines).toContain('[servers] consul-server/consul-server  1/3 running, 2 pending, 1 passing in Consul (create)');
    expect(lines.indexOf('[servers] done')).toBeLessThan(lines.indexOf('[services] running'));
    expect(lines).toContain('Deployed mesh "shop" (d-20250304050607-k3x9q0)');
    expect(lines).toContain('Consul leader: 10.0.1.10:8300 (3 servers: 10.0.1.10:8300, 10.0.1.11:8300, 10.0.1.12:8300)');
    expect(lines).toContain('cluster-1      users          service  create  2/2              3a1b2c3d4e5f  10.0.2.20  HEALTHY  registered, passing');
  });

  it('exits 1 with the failed stage and the recorded cause when the execution fails', async () => {
    stub.nextRun = () => scriptedDeployRun({ failAt: 'servers' });
    const { code, stdout, stderr } = await meshctl('deploy', specPath, '--context-root', dir);

    expect(code).toBe(1);
    expect(stdout).toContain('[servers] failed (DeploymentFailed)');
    // The cause is printed once, in the report on stderr.
    expect(stdout).not.toContain('Essential container in task exited');
    expect(stderr.split('\n')).toEqual([
      'Deployment d-20250304050607-k3x9q0 of mesh "shop" FAILED in stage servers',
      '  error:   DeploymentFailed',
      '  cause:   consul-server: tasks stopped: Essential container in task exited',
      '  service: consul-server',
      '  detail:  Essential container in task exited (exit code 1)',
      '  next:    fix the cause above, then deploy the spec again (meshctl status d-20250304050607-k3x9q0 shows every stage)',
      '',
    ]);
  });

  it('on Ctrl-C says the deployment keeps running and how to follow or cancel it', async () => {
    stub.nextRun = () => scriptedDeployRun();
    let stderr = '';
    let listening = false;
    const program = buildProgram({
      stdout: { write: () => true, isTTY: false },
      stderr: { write: (s: string) => (stderr += s) },
      sleep: async () => undefined,
      pollIntervalMs: 0,
      now: () => new Date('2025-03-04T05:06:07Z'),
      randomSuffix: () => 'k3x9q0',
      clients: () => ({ ...defaultCliDeps().clients(), s3: createS3Api(s3) }),
      // Ctrl-C as soon as the command starts following the deployment.
      onInterrupt: (handler) => {
        listening = true;
        handler();
        return () => {
          listening = false;
        };
      },
    });
    await program.parseAsync(['node', 'meshctl', 'deploy', specPath, '--context-root', dir]);
    process.exitCode = undefined;
    expect(stderr.split('\n').slice(0, 3)).toEqual([
      'Stopped following deployment d-20250304050607-k3x9q0; it keeps running.',
      '  follow it:  meshctl status d-20250304050607-k3x9q0 --watch',
      '  cancel it:  meshctl cancel d-20250304050607-k3x9q0',
    ]);
    expect(listening).toBe(false);
  });

  it('refuses (exit 1) while another spec of the mesh is deploying, and starts nothing', async () => {
    const other = stub.seed(STATE_MACHINE, executionName('shop', 'ffffffffffff', 'd-20250304040000-bbbbbb'), { spec: { name: 'shop' } }, scriptedDeployRun());
    stub.nextRun = () => scriptedDeployRun();
    const { code, stderr } = await meshctl('deploy', specPath, '--context-root', dir);

    expect(code).toBe(1);
    expect(stderr).toContain('meshctl deploy: another deployment of mesh "shop" is running with a different spec: d-20250304040000-bbbbbb');
    expect(stderr).toContain(other.executionArn);
    expect(stub.operations()).not.toContain('StartExecution');
    expect(stub.calls.find((c) => c.operation === 'ListExecutions')?.input).toMatchObject({ stateMachineArn: STATE_MACHINE, statusFilter: 'RUNNING' });
  });

  it('attaches to a running deployment of the very same spec and follows it to the end', async () => {
    const name = executionName('shop', specHash12(), 'd-20250304040000-bbbbbb');
    stub.seed(STATE_MACHINE, name, { deploymentId: 'd-20250304040000-bbbbbb', spec: { name: 'shop' } }, scriptedDeployRun());
    const { code, stdout } = await meshctl('deploy', specPath, '--context-root', dir);

    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`Attached to the running deployment d-20250304040000-bbbbbb of the same spec of mesh "shop" (execution ${name})`);
    expect(stdout).toContain('Deployed mesh "shop"');
    expect(stub.operations()).not.toContain('StartExecution');
  });

  it('--no-wait --json starts and prints the id without following', async () => {
    stub.nextRun = () => scriptedDeployRun();
    const { code, stdout } = await meshctl('deploy', specPath, '--context-root', dir, '--no-wait', '--json');

    expect(code).toBe(0);
    const name = executionName('shop', specHash12(), 'd-20250304050607-k3x9q0');
    expect(JSON.parse(stdout)).toEqual({
      id: `arn:aws:states:us-east-1:000000000000:execution:consul-mesh-local-deploy-mesh:${name}`,
      name,
      deploymentId: 'd-20250304050607-k3x9q0',
      attached: false,
      mesh: 'shop',
      status: 'RUNNING',
    });
    expect(stub.operations()).not.toContain('GetExecutionHistory');
  });

  it('never starts anything for an invalid spec', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: shop\nclusters:\n  - name: c1\n    services:\n      - { name: users, build: { context: services/missing }, port: 8080 }\n');
    const { code, stderr } = await meshctl('deploy', bad, '--context-root', dir);

    expect(code).toBe(1);
    expect(stderr).toContain(`${bad}: clusters[0].services[0].build.context: build context "services/missing" is not a directory under ${dir}`);
    expect(stub.calls).toEqual([]);
  });

  it('reports a missing build context together with the spec\'s other problems, in one pass, by path', async () => {
    const bad = join(dir, 'bad-both.yaml');
    writeFileSync(bad, 'name: shop\nclusters:\n  - name: c1\n    services:\n      - { name: users, build: { context: services/missing }, port: 8080, colour: red }\n');
    const { code, stderr } = await meshctl('plan', bad, '--context-root', dir);

    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      `${bad}: clusters[0].services[0].build.context: build context "services/missing" is not a directory under ${dir}`,
      `${bad}: clusters[0].services[0].colour: unknown key`,
      '',
    ]);
  });
});

describe('meshctl status', () => {
  it('shows the per-stage progress and the summary of a finished deployment found by its deployment id', async () => {
    const name = executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0');
    const execution = stub.seed(STATE_MACHINE, name, { deploymentId: 'd-20250304050607-k3x9q0', spec: { name: 'shop' } }, scriptedDeployRun());
    execution.revealed = execution.run.events.length;
    const { code, stdout } = await meshctl('status', 'd-20250304050607-k3x9q0');

    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^Deployment d-20250304050607-k3x9q0 of mesh "shop" \(execution shop-a1b2c3d4e5f6-20250304050607-k3x9q0\): SUCCEEDED, started .* \(took 1m05s\)$/);
    expect(lines.slice(1, 4)).toEqual(['  ✔ plan          done', '  ✔ images        done (2/2)', '  ✔ config        done']);
    expect(lines).toContain('      cluster-2/todos  1/1 running, 1 passing in Consul (unchanged)');
    expect(lines).toContain('Deployed mesh "shop" (d-20250304050607-k3x9q0)');
  });

  it('lists the services the deployment removed under the removal stage, as it lists the others under theirs', async () => {
    const name = executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0');
    const execution = stub.seed(STATE_MACHINE, name, { deploymentId: 'd-20250304050607-k3x9q0', spec: { name: 'shop' } }, scriptedRemovalRun());
    execution.revealed = execution.run.events.length;
    const { code, stdout } = await meshctl('status', 'd-20250304050607-k3x9q0');

    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const removals = lines.findIndex((l) => l.startsWith('  ✔ removals'));
    expect(lines[removals + 1]).toBe('      cluster-2/billing  deleted (remove)');
    const json = JSON.parse((await meshctl('status', 'd-20250304050607-k3x9q0', '--json')).stdout);
    expect(json.services).toContainEqual(expect.objectContaining({ stage: 'removals', cluster: 'cluster-2', name: 'billing', action: 'remove', removal: 'deleted' }));
  });

  it('without an id shows the latest deployment of the mesh, and exits 1 with the cause when it failed', async () => {
    const older = stub.seed(STATE_MACHINE, executionName('shop', 'a1b2c3d4e5f6', 'd-20250304040000-aaaaaa'), { spec: { name: 'shop' } }, scriptedDeployRun());
    older.revealed = older.run.events.length;
    const latest = stub.seed(STATE_MACHINE, executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050000-bbbbbb'), { spec: { name: 'shop' } }, scriptedDeployRun({ failAt: 'servers' }));
    latest.revealed = latest.run.events.length;
    const otherMesh = stub.seed(STATE_MACHINE, executionName('shop-eu', 'a1b2c3d4e5f6', 'd-20250304060000-cccccc'), { spec: { name: 'shop-eu' } }, scriptedDeployRun());
    otherMesh.revealed = otherMesh.run.events.length;

    const { code, stdout, stderr } = await meshctl('status', '--mesh', 'shop');
    expect(code).toBe(1);
    expect(stdout).toContain('Deployment d-20250304050000-bbbbbb of mesh "shop"');
    expect(stdout).toContain('  ✖ servers       failed (DeploymentFailed)');
    expect(stderr).toContain('FAILED in stage servers');
  });

  it('--watch follows a running deployment to its end; --json describes it', async () => {
    const name = executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0');
    stub.seed(STATE_MACHINE, name, { deploymentId: 'd-20250304050607-k3x9q0', spec: { name: 'shop' } }, scriptedDeployRun());
    const watched = await meshctl('status', name, '--watch');
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('[summary] done');
    expect(watched.stdout).toContain('Deployed mesh "shop"');

    const json = await meshctl('status', name, '--json');
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ name, deploymentId: 'd-20250304050607-k3x9q0', mesh: 'shop', status: 'SUCCEEDED', summary: { mesh: 'shop', leader: '10.0.1.10:8300' } });
    // No mesh gateway, no peers and nothing to remove: those stages are passed over.
    expect(doc.stages.map((s: { state: string }) => s.state)).toEqual(['done', 'done', 'done', 'done', 'skipped', 'skipped', 'done', 'done', 'skipped', 'done']);
  });

  it('reports an unknown execution by the API error name, exit 1', async () => {
    const { code, stderr } = await meshctl('status', 'shop-000000000000-20250304050607-zzzzzz');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^meshctl status: ExecutionDoesNotExist: Execution Does Not Exist/);
  });
});

describe('StepFunctionsBackend.history', () => {
  it('reads newest-first pages only back to the last event seen (follows nextToken, never re-reads the run)', async () => {
    const backend = new StepFunctionsBackend({ sfn: createSfnApi(new SFNClient({})), stateMachineArn: STATE_MACHINE, historyPageSize: 4 });
    const execution = stub.seed(STATE_MACHINE, executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0'), { spec: { name: 'shop' } }, scriptedDeployRun());
    execution.revealed = 30;

    const first = await backend.history(execution.executionArn, 0);
    expect(first.map((e) => e.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(first[0].timestamp).toBeInstanceOf(Date);

    execution.revealed = 33;
    stub.eventsReturned = 0;
    const pagesBefore = stub.operations().filter((o) => o === 'GetExecutionHistory').length;
    const next = await backend.history(execution.executionArn, 30);
    expect(next.map((e) => e.id)).toEqual([31, 32, 33]);
    expect(stub.operations().filter((o) => o === 'GetExecutionHistory').length - pagesBefore).toBe(1);
    expect(stub.eventsReturned).toBe(4);

    expect(await backend.history(execution.executionArn, 33)).toEqual([]);
  });
});
