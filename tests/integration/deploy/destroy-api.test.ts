import { resolve } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { run } from '../../../cli/meshctl';
import type { CliDeps } from '../../../cli/cli-deps';
import { deploy, referenceSpec, ROOT, sfnClient, startCloud, uploadContexts } from './harness';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/**
 * Teardown through the HTTP API (`DELETE /mesh`, `GET /mesh/destroys/{id}`) and through `meshctl destroy`, against the
 * local cloud's API Gateway emulation with its authorizer, from a deployed reference mesh: refused while a deployment
 * or a rollout runs, confirmed before it starts, idempotent, and the mesh deploys again afterwards.
 */
describe('destroy through the HTTP API and meshctl', () => {
  let cloud: LocalCloud;
  let ecs: ECSClient;
  const TOKEN = 'local-dev-token-change-me';

  const api = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const r = await fetch(`${cloud.endpoints.httpApi}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads what each answer has
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };
  const follow = async (id: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const view = await api('GET', `/mesh/destroys/${id}`);
      if (view.body.status !== 'RUNNING' || Date.now() > deadline) return view.body;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const meshctl = async (args: string[], extra: Partial<CliDeps> = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await run(['node', 'meshctl', ...args, '--api-url', cloud.endpoints.httpApi, '--token', TOKEN, '--poll-seconds', '0'], {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t) },
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
      pollIntervalMs: 20,
      stdin: { isTTY: false },
      cwd: ROOT,
      ...extra,
    });
    return { code, stdout, stderr };
  };
  const clusters = async () => ((await ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map((a) => a.slice(a.lastIndexOf('/') + 1)).sort();

  beforeAll(async () => {
    cloud = await startCloud();
    ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 120_000);

  afterAll(async () => {
    ecs?.destroy();
    await cloud?.stop();
  });

  it('refuses DELETE /mesh without a token, another mesh, and an unknown field', async () => {
    expect((await api('DELETE', '/mesh', undefined, null)).status).toBe(401);
    expect((await api('DELETE', '/mesh', undefined, 'a-wrong-token-of-some-length')).status).toBe(403);
    // A bare DELETE /mesh names no mesh: it destroys nothing.
    expect(await api('DELETE', '/mesh')).toMatchObject({ status: 400, body: { error: { details: [{ path: 'mesh' }] } } });
    expect(await api('DELETE', '/mesh', { mesh: 'other-mesh' })).toMatchObject({ status: 400, body: { error: { details: [{ path: 'mesh' }] } } });
    expect((await api('DELETE', '/mesh', { mesh: 'reference-mesh', force: true })).status).toBe(400);
    expect((await api('GET', '/mesh/destroys/x-20990101000000-zzzzzz')).status).toBe(404);
    expect(await clusters()).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
  });

  it('refuses meshctl destroy without --yes when there is no terminal to confirm on, and changes nothing', async () => {
    const out = await meshctl(['destroy', 'reference-mesh']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/pass --yes/);
    expect(await clusters()).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
  });

  it('asks on a terminal and does nothing when the answer is not the mesh name', async () => {
    const questions: string[] = [];
    const out = await meshctl(['destroy', 'examples/mesh.yaml'], { stdin: { isTTY: true }, prompt: async (q) => (questions.push(q), 'no') });
    expect(questions).toEqual([expect.stringMatching(/^Destroy mesh "reference-mesh".*secrets and ECR images are kept/)]);
    expect(out.code).toBe(1);
    expect(await clusters()).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
  });

  it('answers 409 naming the running deployment', async () => {
    const spec = referenceSpec((s) => void (s.clusters[0].services[0].desiredCount = 3));
    await uploadContexts(cloud, spec);
    const { executionArn } = await sfnClient(cloud).send(
      new StartExecutionCommand({
        stateMachineArn: cloud.stateMachines.deployMesh,
        name: 'reference-mesh-d-api-busy',
        input: JSON.stringify({ deploymentId: 'd-api-busy', spec, settings: { pollSeconds: 0, maxRounds: 400 } }),
      }),
    );
    // Once the deployment holds the mesh lock, a teardown must be refused.
    const ssm = new SSMClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const locked = () => ssm.send(new GetParameterCommand({ Name: '/consul-mesh/reference-mesh/lock' })).then(() => true, () => false);
    const deadline = Date.now() + 20_000;
    while (!(await locked()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ssm.destroy();
    const refused = await api('DELETE', '/mesh', { mesh: 'reference-mesh' });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'ConcurrentOperation', message: expect.stringContaining(executionArn!) } } });
    const cli = await meshctl(['destroy', 'reference-mesh', '--yes']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/holds its lock: a deployment \(execution arn:aws:states:.*deploy-mesh:reference-mesh-d-api-busy.*meshctl cancel arn:/);
    // Let the deployment finish before the next test destroys the mesh.
    const done = Date.now() + 60_000;
    const sfn = sfnClient(cloud);
    while ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING' && Date.now() < done) await new Promise((r) => setTimeout(r, 100));
    sfn.destroy();
  }, 90_000);

  it('answers 409 naming a running rollout', async () => {
    const started = await api('POST', '/services/users/rollouts?pollSeconds=1&maxRounds=100', { image: 'users:1.1.0', bakeSeconds: 5 });
    expect(started.status).toBe(202);
    const refused = await api('DELETE', '/mesh', { mesh: 'reference-mesh' });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'ConcurrentOperation', message: expect.stringContaining(`a rollout of service "users" is running (${started.body.id})`) } } });
    const deadline = Date.now() + 60_000;
    let view;
    do {
      await new Promise((r) => setTimeout(r, 200));
      view = await api('GET', `/services/users/rollouts/${started.body.id}`);
    } while (view.body.status === 'RUNNING' && Date.now() < deadline);
    expect(view.body.status).toBe('SUCCEEDED');
    expect(await clusters()).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
  }, 90_000);

  it('destroys with meshctl destroy <spec> --yes, stage by stage, then finds nothing to do through DELETE /mesh', async () => {
    const out = await meshctl(['destroy', resolve(ROOT, 'examples/mesh.yaml'), '--yes']);
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = out.stdout.split('\n');
    const first = (stage: string) => lines.findIndex((l) => l.includes(` ${stage.padEnd(8)} `));
    const order = ['prepare', 'ingress', 'services', 'consul', 'servers', 'cleanup'].map(first);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out.stdout).toMatch(/Destroyed mesh "reference-mesh":/);
    expect(out.stdout).toMatch(/Kept \(a redeployment reuses them; destroy --purge removes them\)/);
    expect(await clusters()).toEqual([]);

    const started = await api('DELETE', '/mesh?mesh=reference-mesh&purge=false');
    expect(started).toMatchObject({ status: 202, body: { id: expect.stringMatching(/^x-\d{14}-[0-9a-z]{6}$/), status: 'RUNNING', mesh: 'reference-mesh', purge: false } });
    const view = await follow(started.body.id);
    expect(view).toMatchObject({ status: 'SUCCEEDED', summary: { nothingToDo: true } });
    expect(view.stages.map((s: { name: string; state: string }) => `${s.name}:${s.state}`)).toEqual(
      ['prepare', 'ingress', 'services', 'consul', 'servers', 'cleanup', 'summary'].map((s) => `${s}:done`),
    );
    const again = await meshctl(['destroy', 'reference-mesh', '--yes']);
    expect({ code: again.code }).toEqual({ code: 0 });
    expect(again.stdout).toMatch(/Nothing to do: mesh "reference-mesh" has nothing left to remove/);
  }, 120_000);

  it('deploys again afterwards', async () => {
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(await clusters()).toEqual(['cluster-1', 'cluster-2', 'consul-server', 'ingress']);
  }, 120_000);
});
