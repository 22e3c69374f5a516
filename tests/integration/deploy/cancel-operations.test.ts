import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { buildProgram } from '../../../cli/meshctl';
import { LOCAL_API_TOKEN } from '../../../cli/http-backend';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, sfnClient, startCloud } from './harness';
import { ctx, LOCK, lockHolder } from './lock-support';

/**
 * `meshctl cancel` and `POST /operations/{id}/cancel` on a DEPLOYED reference mesh, for the operations that are not
 * deployments (DESIGN.md section 9: nothing can wedge): a rollout, a rotation and a teardown are each caught in the
 * middle and cancelled. Each time the execution ends ABORTED, the lock it held is free at once (the very next
 * deployment starts and succeeds, without waiting for the status event), and that deployment converges the mesh.
 */

// Waits last a twentieth of their time, so a long bake or drain can be caught in the middle; task stops take a while.
const DELAYS = { provisioningMs: 0, pendingMs: 50, activatingMs: 0, runningMs: 0, stoppingMs: 300, restartBackoffMs: 5, maxRestartBackoffMs: 20 };
const ROLLOUT_LOCK = '/consul-mesh/reference-mesh/rollouts/users/lock';

let cloud: LocalCloud;
let sfn: SFNClient;

beforeAll(async () => {
  cloud = await startCloud({ ecsDelays: DELAYS, stepFunctionsTimeScale: 0.05 });
  sfn = sfnClient(cloud);
  const run = await deploy(cloud, referenceSpec(), { timeoutMs: 120_000 });
  expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
}, 180_000);

afterAll(async () => {
  sfn?.destroy();
  await cloud?.stop();
});

async function meshctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const program = buildProgram({ stdout: { write: (s: string) => (stdout += s), isTTY: false }, stderr: { write: (s: string) => (stderr += s) }, env: { ...process.env } });
  process.exitCode = undefined;
  await program.parseAsync(['node', 'meshctl', ...args, '--api-url', cloud.endpoints.httpApi, '--token', LOCAL_API_TOKEN]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read arbitrary JSON answers
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${cloud.endpoints.httpApi}${path}`, {
    method,
    headers: { authorization: `Bearer ${LOCAL_API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls `path` until `ready` says yes of its answer (bounded). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see api()
async function until(path: string, ready: (body: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api('GET', path);
    if (ready(body)) return body;
    if (Date.now() > deadline) throw new Error(`${path} never got there: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function parameterExists(name: string): Promise<boolean> {
  return Promise.resolve()
    .then(() => cloud.ssm.operations.GetParameter({ Name: name }, ctx))
    .then(
      () => true,
      () => false,
    );
}

async function executionStatus(name: string, machine: string): Promise<string | undefined> {
  const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
  return (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
}

/** The app image the ECS service runs (its task definition's container of that name). */
async function serviceImage(cluster: string, service: string): Promise<{ image?: string; deployments: number }> {
  const ecs = cloud.ecs.provider.operations;
  const { services } = (await ecs.DescribeServices({ cluster, services: [service] }, ctx)) as { services: Array<{ taskDefinition: string; deployments: unknown[] }> };
  const { taskDefinition } = (await ecs.DescribeTaskDefinition({ taskDefinition: services[0].taskDefinition }, ctx)) as {
    taskDefinition: { containerDefinitions: Array<{ name: string; image: string }> };
  };
  return { image: taskDefinition.containerDefinitions.find((c) => c.name === service)?.image, deployments: services[0].deployments.length };
}

describe('cancelling the operations of a deployed mesh', () => {
  it('cancels a rollout in its bake with meshctl cancel (no id): ABORTED, its lock free at once, ECS keeps the update; the next deployment brings the spec back', async () => {
    const specImage = (await serviceImage('cluster-1', 'users')).image;
    const started = await meshctl('rollout', 'users', '--image', 'users:1.1.0', '--bake-seconds', '600', '--poll-seconds', '1', '--no-wait');
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const id = /Started rollout (r-\d{14}-[0-9a-z]{6}) of users/.exec(started.stdout)?.[1] as string;
    await until(`/services/users/rollouts/${id}`, (view) => view.steps.find((s: { name: string }) => s.name === 'bake')?.state === 'running');
    expect(await parameterExists(ROLLOUT_LOCK)).toBe(true);

    // Without an id: the one operation that runs in the mesh.
    const cancelled = await meshctl('cancel', '--mesh', 'reference-mesh');
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout.split('\n')).toEqual([
      `Rollout ${id} of service "users" in mesh "reference-mesh" cancelled; released its lock ${ROLLOUT_LOCK}.`,
      expect.stringMatching(/^ECS goes on with the rolling update it was given: service users \(cluster cluster-1\) converges to reference-mesh-users:\d+ \(or its circuit breaker rolls it back\)/),
      '',
    ]);
    expect(await executionStatus(`users-${id.slice(2)}`, cloud.stateMachines.rolloutService)).toBe('ABORTED');
    expect(await parameterExists(ROLLOUT_LOCK)).toBe(false);
    // Nothing rolled it back: ECS runs the rollout's image.
    expect((await serviceImage('cluster-1', 'users')).image).toBe('users:1.1.0');

    // Idempotent: the second cancel says it has ended, and changes nothing.
    expect(await meshctl('cancel', id)).toEqual({ code: 1, stdout: '', stderr: `meshctl cancel: rollout ${id} has already ended (ABORTED): nothing to cancel\n` });

    const next = await deploy(cloud, referenceSpec(), { timeoutMs: 120_000 });
    expect({ status: next.status, cause: next.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(await serviceImage('cluster-1', 'users')).toEqual({ image: specImage, deployments: 1 });
  }, 240_000);

  it('cancels a rotation through POST /operations/{id}/cancel once the new token is stored: the mesh lock is free at once and the next deployment succeeds', async () => {
    const started = await api('POST', '/rotations?pollSeconds=1&maxRounds=1000', { secret: 'acl-token/dataplane/users' });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await until(`/rotations/${id}`, (view) => view.version !== undefined && view.status === 'RUNNING');
    expect(await lockHolder(cloud)).toMatch(new RegExp(`:execution:[^:]+-rotate-secret:${id}$`));

    const cancelled = await api('POST', `/operations/${id}/cancel`);
    expect(cancelled).toMatchObject({ status: 202, body: { id, kind: 'rotation', status: 'ABORTED', secret: 'acl-token/dataplane/users', released: [LOCK] } });
    expect(cancelled.body.note).toMatch(/is stored and live in Consul next to the old one, which still works/);
    expect(await executionStatus(id, cloud.stateMachines.rotateSecret)).toBe('ABORTED');
    expect(await lockHolder(cloud)).toBeUndefined();
    expect((await api('GET', '/operations')).body).toEqual({ items: [] });

    const next = await deploy(cloud, referenceSpec(), { timeoutMs: 120_000 });
    expect({ status: next.status, cause: next.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 240_000);

  it('cancels a teardown while it drains the services with meshctl cancel <id>: the mesh lock is free at once; the next deployment brings the mesh back', async () => {
    const started = await api('DELETE', '/mesh?pollSeconds=1', { mesh: 'reference-mesh' });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await until(`/mesh/destroys/${id}`, (view) => view.stages.find((s: { name: string }) => s.name === 'services')?.state === 'running');

    const cancelled = await meshctl('cancel', id);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toMatch(new RegExp(`^Teardown ${id} of mesh "reference-mesh" cancelled; released its lock ${LOCK}\\.\\nWhat the teardown removed stays removed \\(done: prepare, ingress\\); it was cancelled in services`));
    expect(await executionStatus(id, cloud.stateMachines.destroyMesh)).toBe('ABORTED');
    expect(await lockHolder(cloud)).toBeUndefined();
    expect((await api('GET', `/mesh/destroys/${id}`)).body).toMatchObject({ status: 'ABORTED' });

    const next = await deploy(cloud, referenceSpec(), { timeoutMs: 120_000 });
    expect({ status: next.status, cause: next.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    const mesh = (await api('GET', '/mesh')).body as { clusters: Array<{ name: string; services: Array<{ name: string }> }> };
    expect(mesh.clusters.map((c) => `${c.name}:${c.services.map((s) => s.name).sort().join(',')}`).sort()).toEqual([
      'cluster-1:activities,users',
      'cluster-2:notifications,todos',
      'consul-server:consul-server',
      'ingress:ingress-gateway',
    ]);
  }, 240_000);
});
