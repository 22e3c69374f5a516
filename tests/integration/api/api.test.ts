import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createEcsApi } from '../../../layers/adapters/ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { stringify } from 'yaml';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildProgram } from '../../../cli/meshctl';
import { referenceSpec, ROOT, uploadContexts } from '../deploy/harness';
import { api, asJson, startApiCloud, TOKEN, until, writeCalls } from './harness';
import { createS3Api } from '../../../layers/adapters/s3';

/**
 * The HTTP API on the local cloud, through real HTTP: the same serverless.yml routes and authorizer, the same
 * handlers, the deploy and rollout state machines executing the ASL files. One cloud, one story: refused requests,
 * a deployment that is joined, refused and cancelled, one that succeeds, then rollouts forward and back.
 */
let cloud: LocalCloud;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let ecs: ECSClient;
let ssm: SSMClient;
let s3: S3Client;

beforeAll(async () => {
  cloud = await startApiCloud();
  ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials });
  ssm = new SSMClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials });
  s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials });
}, 90_000);

afterAll(async () => {
  ecs?.destroy();
  ssm?.destroy();
  s3?.destroy();
  await cloud?.stop();
});

const ROUTES = [
  ['POST', '/deployments'],
  ['GET', '/deployments'],
  ['GET', '/deployments/d-20250304050607-k3x9q0'],
  ['POST', '/deployments/d-20250304050607-k3x9q0/cancel'],
  ['POST', '/services/users/rollouts'],
  ['GET', '/services/users/rollouts/r-20250304050607-k3x9q0'],
  ['GET', '/mesh'],
  ['GET', '/activity'],
  ['POST', '/plans'],
  ['GET', '/operations'],
  ['POST', '/operations/r-20250304050607-k3x9q0/cancel'],
] as const;

describe('authentication', () => {
  it('declares every route behind the meshToken Lambda authorizer', () => {
    expect(cloud.httpApi.routes.map((r) => r.routeKey).sort()).toEqual(
      [
        'GET /activity',
        'GET /deployments',
        'GET /deployments/{id}',
        'GET /mesh',
        'GET /mesh/destroys/{id}',
        'GET /operations',
        'GET /rotations/{id}',
        'GET /services/{service}/rollouts/{id}',
        'POST /deployments',
        'POST /deployments/{id}/cancel',
        'POST /operations/{id}/cancel',
        'POST /plans',
        'POST /rotations',
        'POST /services/{service}/rollouts',
        'DELETE /mesh',
      ].sort(),
    );
    for (const route of cloud.httpApi.routes) expect(route.authorizer).toEqual({ name: 'meshToken', scopes: [] });
  });

  it('answers 401 without a token and 403 with a wrong one on every route, and reaches no function behind them', async () => {
    cloud.aws.resetCallCounts();
    for (const [method, path] of ROUTES) {
      expect([method, path, (await api(cloud, path, { method, token: null })).status]).toEqual([method, path, 401]);
      expect([method, path, (await api(cloud, path, { method, token: 'wrong-token-0123456789abcdef' })).status]).toEqual([method, path, 403]);
      const basic = await api(cloud, path, { method, token: null, headers: { authorization: `Basic ${TOKEN}` } });
      expect([method, path, basic.status]).toEqual([method, path, 403]);
    }
    // The authorizer reads its token from the environment here: no AWS call at all, let alone a write.
    expect(cloud.aws.callCounts()).toEqual({});
  });

  it('never writes a token to the log, accepted or refused', async () => {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' '))),
    );
    try {
      await api(cloud, '/deployments', { token: 'a-wrong-token-that-must-not-be-logged' });
      await api(cloud, '/deployments');
      await api(cloud, '/nothing', { token: 'another-secret-in-a-404' });
    } finally {
      for (const s of [...spies, ...consoleSpies]) s.mockRestore();
    }
    const all = written.join('\n');
    expect(all).toContain('refused');
    for (const secret of [TOKEN, 'a-wrong-token-that-must-not-be-logged', 'another-secret-in-a-404']) expect(all).not.toContain(secret);
  });
});

describe('deployments', () => {
  it('refuses bad requests with 4xx naming each invalid field, and starts nothing', async () => {
    cloud.aws.resetCallCounts();
    const invalid = await api(cloud, '/deployments', asJson({ name: 'reference-mesh', clusters: [{ name: 'c', services: [{ name: 'Users!', port: 'http' }] }], extra: 1 }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('SpecInvalid');
    expect(invalid.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['clusters[0].services[0].name', 'clusters[0].services[0].port', 'extra']),
    );
    // Valid specs this stack cannot run: another region, a secret its tasks' execution role may not read.
    const elsewhere = await api(cloud, '/deployments', asJson({ ...referenceSpec(), region: 'eu-west-1' }));
    expect({ status: elsewhere.status, code: elsewhere.body.error.code, paths: elsewhere.body.error.details.map((d: { path: string }) => d.path) }).toEqual({
      status: 400,
      code: 'SpecInvalid',
      paths: ['region'],
    });
    const unreadable = await api(
      cloud,
      '/deployments',
      asJson(referenceSpec((raw) => Object.assign(raw.clusters[0].services[0], { secrets: { DB_PASSWORD: '/teams/platform/db-password' } }))),
    );
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.error.details).toEqual([{ path: 'clusters[0].services[0].secrets.DB_PASSWORD', message: expect.stringContaining('appSecretsPath') }]);
    // POST /plans refuses the same way: a plan of a deployment that would be refused.
    expect((await api(cloud, '/plans', asJson({ ...referenceSpec(), region: 'eu-west-1' }))).body.error?.details?.map((d: { path: string }) => d.path)).toEqual(['region']);
    const yamlError = await api(cloud, '/deployments', { method: 'POST', body: 'name: [', headers: { 'content-type': 'application/yaml' } });
    expect(yamlError.status).toBe(400);
    expect((await api(cloud, '/deployments', { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    const huge = await api(cloud, '/deployments', asJson({ ...referenceSpec(), padding: 'x'.repeat(300 * 1024) }));
    expect(huge.status).toBe(413);
    const query = await api(cloud, '/deployments?pollSeconds=-1', asJson(referenceSpec()));
    expect(query.body.error.details).toEqual([{ path: 'query.pollSeconds', message: 'must be a whole number' }]);
    for (const id of ['d-20250304050607-zzzzzz', 'nope', '%2e%2e%2fmesh']) {
      expect((await api(cloud, `/deployments/${id}`)).status).toBe(404);
      expect((await api(cloud, `/deployments/${id}/cancel`, { method: 'POST' })).status).toBe(404);
    }
    expect(writeCalls(cloud.aws.callCounts())).toEqual({});
  });

  it('refuses a spec whose build contexts were not uploaded with 400 naming each path and object, and starts nothing', async () => {
    cloud.aws.resetCallCounts();
    const spec = referenceSpec();
    const refused = await api(cloud, '/deployments', asJson(spec));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('InvalidInput');
    const users = (spec.clusters as Array<{ services: Array<{ build: { contentHash: string } }> }>)[0].services[0].build.contentHash;
    expect(refused.body.error.details).toContainEqual({
      path: 'clusters[0].services[0].build.contentHash',
      message: `the build context s3://${cloud.buckets.BuildSourceBucket}/contexts/${users}.zip does not exist: upload it first (meshctl deploy and meshctl rollout --build do)`,
    });
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['consul.dataplane.build.contentHash', 'clusters[1].services[1].build.contentHash']),
    );
    expect(writeCalls(cloud.aws.callCounts())).toEqual({});
    expect(cloud.aws.callCounts()['AWSStepFunctions.StartExecution']).toBeUndefined();

    // Uploaded (as meshctl deploy does), the same spec is accepted by the next tests.
    expect((await uploadContexts(cloud, spec)).length).toBeGreaterThan(0);
    expect(await uploadContexts(cloud, spec)).toEqual([]);
  });

  let cancelled = '';
  it('joins a deployment of the very same spec, refuses another spec of the mesh with 409, and cancels', async () => {
    const variant = referenceSpec((s) => {
      s.clusters[0].services[0].desiredCount = 1;
    });
    const first = await api(cloud, '/deployments?pollSeconds=0&maxRounds=400', asJson(variant));
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'RUNNING', mesh: 'reference-mesh', attached: false, id: expect.stringMatching(/^d-\d{14}-[0-9a-z]{6}$/) });
    expect(first.headers.get('location')).toBe(`/deployments/${first.body.id}`);
    const same = await api(cloud, '/deployments', asJson(variant));
    expect(same.body).toMatchObject({ id: first.body.id, attached: true });
    const other = await api(cloud, '/deployments', asJson(referenceSpec()));
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('ConcurrentOperation');

    const cancel = await api(cloud, `/deployments/${first.body.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    expect(cancel.body).toMatchObject({ id: first.body.id, status: 'ABORTED' });
    const view = await until(cloud, `/deployments/${first.body.id}`);
    expect(view.status).toBe('ABORTED');
    await expect(ssm.send(new GetParameterCommand({ Name: '/consul-mesh/reference-mesh/lock' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    expect((await api(cloud, `/deployments/${first.body.id}/cancel`, { method: 'POST' })).status).toBe(409);
    cancelled = first.body.id;
  }, 30_000);

  let deployed = '';
  it('deploys a YAML spec (sent base64-encoded by the gateway) to SUCCEEDED, with per-stage progress and a summary', async () => {
    const started = await api(cloud, '/deployments?pollSeconds=0&maxRounds=400', { method: 'POST', body: stringify(referenceSpec()), headers: { 'content-type': 'application/yaml' } });
    expect(started.status).toBe(202);
    const view = await until(cloud, `/deployments/${started.body.id}`);
    expect({ status: view.status, failure: view.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
    expect(view.stages.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual([
      'plan:done', 'images:done', 'config:done', 'servers:done', 'mesh-gateway:skipped', 'peering:skipped', 'services:done', 'ingress:done', 'removals:skipped', 'summary:done',
    ]);
    expect(view.summary).toMatchObject({ mesh: 'reference-mesh', deploymentId: started.body.id });
    expect(view.services.find((s: { name: string }) => s.name === 'users')).toMatchObject({ cluster: 'cluster-1', runningCount: 2, registeredPassing: 2 });
    deployed = started.body.id;
  }, 90_000);

  it('lists deployments newest first, a page at a time', async () => {
    const page = await api(cloud, '/deployments?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([expect.objectContaining({ id: deployed, status: 'SUCCEEDED', mesh: 'reference-mesh' })]);
    const next = await api(cloud, `/deployments?limit=1&nextToken=${encodeURIComponent(page.body.nextToken)}`);
    expect(next.body.items).toEqual([expect.objectContaining({ id: cancelled, status: 'ABORTED' })]);
    expect((await api(cloud, '/deployments?status=ABORTED')).body.items.map((i: { id: string }) => i.id)).toEqual([cancelled]);
  });
});

describe('the mesh and its rollouts', () => {
  const users = async () => (await ecs.send(new DescribeServicesCommand({ cluster: 'cluster-1', services: ['users'] }))).services?.[0];

  it('GET /mesh: clusters, services, tasks and their Consul registrations', async () => {
    const mesh = await api(cloud, '/mesh');
    expect(mesh.status).toBe(200);
    expect(mesh.body.consul.peers).toHaveLength(3);
    const services = mesh.body.clusters.flatMap((c: { name: string; services: Array<{ name: string }> }) => c.services.map((s) => `${c.name}/${s.name}`));
    expect(services.sort()).toEqual(['cluster-1/activities', 'cluster-1/users', 'cluster-2/notifications', 'cluster-2/todos', 'consul-server/consul-server', 'ingress/ingress-gateway']);
    const usersView = mesh.body.clusters[1].services.find((s: { name: string }) => s.name === 'users');
    expect(usersView.tasks).toHaveLength(2);
    for (const task of usersView.tasks) expect(task.consul).toMatchObject({ id: `users-${task.taskId}`, registered: true, passing: true });
    // What the dashboard draws between services, from the deployed spec.
    expect(usersView).toMatchObject({ port: 8080, upstreams: [{ service: 'todos', localBindPort: 1234 }] });
    expect(mesh.body.intentions).toContainEqual({ source: 'ingress-gateway', destination: 'users', action: 'allow' });
    expect(mesh.body.ingress).toEqual({ name: 'ingress-gateway', cluster: 'ingress', listeners: [{ port: 80, protocol: 'http', services: ['*'] }] });
  });

  it('refuses bad rollout requests: 404 for unknown services and rollouts, 400 with paths, 415', async () => {
    cloud.aws.resetCallCounts();
    expect((await api(cloud, '/services/billing/rollouts', asJson({ image: 'billing:1.0.0' }))).status).toBe(404);
    expect((await api(cloud, '/services/..%2f..%2fetc/rollouts', asJson({ image: 'users:1.0.0' }))).status).toBe(404);
    const bad = await api(cloud, '/services/users/rollouts', asJson({ image: 'users:latest', desiredCount: 'two', surprise: true }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['desiredCount', 'image', 'surprise']);
    expect((await api(cloud, '/services/users/rollouts', { method: 'POST', body: '{"image":"users:1.0.0"}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await api(cloud, '/services/users/rollouts/r-20250304050607-k3x9q0')).status).toBe(404);
    expect((await api(cloud, '/services/users/rollouts/not-an-id')).status).toBe(404);
    expect(writeCalls(cloud.aws.callCounts())).toEqual({});
  });

  let live = '';
  it('rolls out a new image: a new revision, stable, registered and passing in Consul, baked; the new revision is live', async () => {
    const before = (await users())?.taskDefinition;
    const started = await api(cloud, '/services/users/rollouts?pollSeconds=0&maxRounds=200', asJson({ image: 'users:1.1.0', bakeSeconds: 2 }));
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'RUNNING', service: 'users', id: expect.stringMatching(/^r-\d{14}-[0-9a-z]{6}$/) });
    const view = await until(cloud, `/services/users/rollouts/${started.body.id}`);
    expect({ status: view.status, failure: view.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
    expect(view.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual([
      'prepare:done', 'build:skipped', 'register:done', 'update:done', 'stabilize:done', 'bake:done', 'rollback:skipped',
    ]);
    expect(view.previousTaskDefinitionArn).toBe(before);
    expect(view.liveTaskDefinitionArn).toBe(view.newTaskDefinitionArn);
    expect(view.liveTaskDefinitionArn).not.toBe(before);
    expect(view.check).toMatchObject({ registeredPassing: 2, desiredCount: 2, bakeRound: 2 });
    const service = await users();
    expect(service?.taskDefinition).toBe(view.liveTaskDefinitionArn);
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: view.liveTaskDefinitionArn }));
    expect(taskDefinition?.containerDefinitions?.find((c) => c.name === 'users')?.image).toBe('users:1.1.0');
    await expect(ssm.send(new GetParameterCommand({ Name: '/consul-mesh/reference-mesh/rollouts/users/lock' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    live = view.liveTaskDefinitionArn;
  }, 60_000);

  it('rolls back a failing image: the previous revision runs again, the cause says "rolled back", ROLLED_BACK', async () => {
    const started = await api(cloud, '/services/users/rollouts?pollSeconds=0&maxRounds=200', asJson({ image: 'users:fail-crash' }));
    expect(started.status).toBe(202);
    // While it runs, a second rollout of the same service is refused.
    const second = await api(cloud, '/services/users/rollouts', asJson({ image: 'users:1.3.0' }));
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ConcurrentOperation');

    const view = await until(cloud, `/services/users/rollouts/${started.body.id}`);
    expect(view.status).toBe('ROLLED_BACK');
    expect(view.error).toBe('RolledBack');
    expect(view.cause).toContain('rolled back');
    expect(view.failure).toMatchObject({ service: 'users', rolledBack: true, liveTaskDefinitionArn: live });
    expect(view.failure.message).toMatch(/exited with code 1|failed to start/);
    expect(view.liveTaskDefinitionArn).toBe(live);
    expect(view.steps.find((s: { name: string }) => s.name === 'rollback')).toEqual({ name: 'rollback', state: 'done' });
    const service = await users();
    expect(service?.taskDefinition).toBe(live);
    expect(service?.runningCount).toBe(2);
    const failed = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: view.newTaskDefinitionArn }));
    expect(failed.taskDefinition?.status).toBe('INACTIVE');
  }, 60_000);

  it('meshctl rollout and status go through the API, with the token, and show the progress', async () => {
    let stdout = '';
    let stderr = '';
    const program = buildProgram({
      stdout: { write: (s: string) => (stdout += s), isTTY: false },
      stderr: { write: (s: string) => (stderr += s) },
      env: { BUILD_SOURCE_BUCKET: cloud.buckets.BuildSourceBucket },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      pollIntervalMs: 50,
      // meshctl uploads a build context with the caller's AWS credentials: here the local cloud's.
      clients: () => ({ sfn: undefined as never, ecs: createEcsApi(ecs), s3: createS3Api(s3) }),
    });
    const base = ['--api-url', cloud.endpoints.httpApi, '--token', TOKEN];
    process.exitCode = undefined;
    await program.parseAsync(['node', 'meshctl', 'rollout', 'users', '--image', 'users:1.2.0', '--poll-seconds', '0', '--bake-seconds', '1', ...base]);
    expect({ code: process.exitCode ?? 0, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Rolling out users as r-\d{14}-[0-9a-z]{6}/);
    expect(stdout).toContain('[register] done');
    expect(stdout).toMatch(/Rolled out users: reference-mesh-users:\d+ is live \(was reference-mesh-users:\d+\), 2\/2 passing in Consul/);
    expect(stdout + stderr).not.toContain(TOKEN);

    // A build context: hashed by meshctl, built by CodeBuild into ECR (a context with other content, so a new image).
    stdout = '';
    process.exitCode = undefined;
    await program.parseAsync(['node', 'meshctl', 'rollout', 'users', '--build', 'docker/services/todos', '--context-root', ROOT, '--poll-seconds', '0', '--bake-seconds', '0', ...base]);
    expect({ code: process.exitCode ?? 0, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('[build] done');
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: (await users())?.taskDefinition }));
    expect(taskDefinition?.containerDefinitions?.find((c) => c.name === 'users')?.image).toMatch(/reference-mesh\/users:ctx-[0-9a-f]{32}-arm64$/);

    stdout = '';
    process.exitCode = undefined;
    await program.parseAsync(['node', 'meshctl', 'status', '--mesh', 'reference-mesh', ...base]);
    expect(process.exitCode ?? 0).toBe(0);
    expect(stdout).toMatch(/Deployment d-\d{14}-[0-9a-z]{6} of mesh "reference-mesh" \(execution reference-mesh-[0-9a-f]{12}-\d{14}-[0-9a-z]{6}\): SUCCEEDED/);
    expect(stdout).toContain('services');

    stderr = '';
    process.exitCode = undefined;
    await program.parseAsync(['node', 'meshctl', 'rollout', 'users', '--image', 'users:1.2.0', '--api-url', cloud.endpoints.httpApi, '--token', 'wrong-token-0123456789']);
    expect(process.exitCode).toBe(1);
    expect(stderr).toContain('refused the token (403)');
    expect(stderr).not.toContain('wrong-token-0123456789');
    process.exitCode = undefined;
  }, 60_000);
});
