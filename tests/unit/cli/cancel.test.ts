import { cancelCommand, chooseRunning, renderCancelled } from '../../../cli/cancel';
import type { CliDeps } from '../../../cli/cli-deps';
import { parseOperationReference } from '../../../layers/executions/operations';

const API = 'http://api.test';

/** A fetch that answers from a table (`METHOD /path` → status and body) and records what it was asked. */
function stubFetch(answers: Record<string, { status: number; body: unknown }>) {
  const calls: string[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const key = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
    calls.push(key);
    const answer = answers[key] ?? { status: 404, body: { error: { code: 'NotFound', message: `no route ${key}` } } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

function run(reference: string | undefined, answers: Record<string, { status: number; body: unknown }>, options: { mesh?: string; stateMachineArn?: string } = {}) {
  const { calls, fetchImpl } = stubFetch(answers);
  let stdout = '';
  let stderr = '';
  const deps = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    fetch: fetchImpl,
    clients: () => {
      throw new Error('no AWS client in this test');
    },
  } as unknown as CliDeps;
  return cancelCommand(reference, { apiUrl: options.stateMachineArn ? undefined : API, token: 't', ...options }, deps).then((code) => ({ code, stdout, stderr, calls }));
}

const ROLLOUT = { kind: 'rollout', id: 'r-20250304050607-aaa111', status: 'RUNNING', mesh: 'shop', execution: 'users-20250304050607-aaa111', service: 'users', startedAt: '2025-03-04T05:06:08.000Z' };
const ROTATION = { kind: 'rotation', id: 's-20250304050608-bbb222', status: 'RUNNING', mesh: 'shop', execution: 's-20250304050608-bbb222', secret: 'gossip-key' };
const CANCELLED = { ...ROLLOUT, status: 'ABORTED', released: ['/consul-mesh/shop/rollouts/users/lock'], note: 'ECS goes on with the rolling update it was given.' };

describe('meshctl cancel: which operation an id names', () => {
  it.each([
    ['d-20250304050607-k3x9q0', { kind: 'deployment', id: 'd-20250304050607-k3x9q0' }],
    ['r-20250304050607-k3x9q0', { kind: 'rollout', id: 'r-20250304050607-k3x9q0' }],
    ['s-20250304050607-k3x9q0', { kind: 'rotation', id: 's-20250304050607-k3x9q0' }],
    ['x-20250304050607-k3x9q0', { kind: 'teardown', id: 'x-20250304050607-k3x9q0' }],
    ['shop-0123456789ab-20250304050607-k3x9q0', { kind: 'deployment', id: 'd-20250304050607-k3x9q0' }],
    ['users-20250304050607-k3x9q0', { kind: 'rollout', id: 'r-20250304050607-k3x9q0', service: 'users' }],
    ['arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:shop-0123456789ab-20250304050607-k3x9q0', { kind: 'deployment', id: 'd-20250304050607-k3x9q0' }],
    ['arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-rollout-service:users-20250304050607-k3x9q0', { kind: 'rollout', id: 'r-20250304050607-k3x9q0', service: 'users' }],
    ['arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-rotate-secret:s-20250304050607-k3x9q0', { kind: 'rotation', id: 's-20250304050607-k3x9q0' }],
    ['arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-destroy-mesh:x-20250304050607-k3x9q0', { kind: 'teardown', id: 'x-20250304050607-k3x9q0' }],
  ])('reads %s', (reference, expected) => {
    expect(parseOperationReference(reference)).toEqual(expected);
  });

  it.each(['users', 'x-20250304-k3x9q0', 'd-2025-k3x9q0', 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-rotate-secret:by-hand'])('names no operation: %s', (reference) => {
    expect(parseOperationReference(reference)).toBeUndefined();
  });
});

describe('meshctl cancel through the HTTP API', () => {
  it('cancels a rollout by its id: POST /operations/{id}/cancel, then what was released and what it leaves', async () => {
    const out = await run('r-20250304050607-aaa111', { 'POST /operations/r-20250304050607-aaa111/cancel': { status: 202, body: CANCELLED } });
    expect(out).toMatchObject({ code: 0, stderr: '', calls: ['POST /operations/r-20250304050607-aaa111/cancel'] });
    expect(out.stdout).toBe(
      'Rollout r-20250304050607-aaa111 of service "users" in mesh "shop" cancelled; released its lock /consul-mesh/shop/rollouts/users/lock.\n' +
        'ECS goes on with the rolling update it was given.\n',
    );
  });

  it('cancels by execution name too, with the id it carries', async () => {
    const out = await run('users-20250304050607-aaa111', { 'POST /operations/r-20250304050607-aaa111/cancel': { status: 202, body: CANCELLED } });
    expect(out.code).toBe(0);
  });

  it('without an id cancels the one operation that runs in the mesh', async () => {
    const out = await run(undefined, {
      'GET /operations': { status: 200, body: { items: [ROLLOUT] } },
      'POST /operations/r-20250304050607-aaa111/cancel': { status: 202, body: CANCELLED },
    });
    expect(out).toMatchObject({ code: 0, calls: ['GET /operations', 'POST /operations/r-20250304050607-aaa111/cancel'] });
  });

  it('without an id refuses when several run, listing each with the command that cancels it, and cancels nothing', async () => {
    const out = await run(undefined, { 'GET /operations': { status: 200, body: { items: [ROLLOUT, ROTATION] } } });
    expect(out).toMatchObject({ code: 1, stdout: '', calls: ['GET /operations'] });
    expect(out.stderr).toBe(
      'meshctl cancel: 2 operations run; name the one to cancel:\n' +
        '  meshctl cancel r-20250304050607-aaa111   # rollout of service "users", started 2025-03-04T05:06:08.000Z\n' +
        '  meshctl cancel s-20250304050608-bbb222   # rotation of gossip-key\n',
    );
  });

  it('without an id says when nothing runs in the mesh named, and keeps to that mesh', async () => {
    const out = await run(undefined, { 'GET /operations': { status: 200, body: { items: [ROLLOUT] } } }, { mesh: 'other' });
    expect(out).toMatchObject({ code: 1, stderr: 'meshctl cancel: nothing runs in mesh "other": no deployment, rollout, rotation or teardown to cancel\n', calls: ['GET /operations'] });
  });

  it('says an operation has already ended, exit 1 (cancelling twice changes nothing)', async () => {
    const message = 'rollout r-20250304050607-aaa111 has already ended (ABORTED): nothing to cancel';
    const out = await run('r-20250304050607-aaa111', { 'POST /operations/r-20250304050607-aaa111/cancel': { status: 409, body: { error: { code: 'AlreadyEnded', message } } } });
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: `meshctl cancel: ${message}\n` });
  });

  it('refuses an id that names no operation as a wrong command line (2), asking nothing', async () => {
    const out = await run('users', {});
    expect(out).toMatchObject({ code: 2, calls: [] });
    expect(out.stderr).toMatch(/^meshctl cancel: "users" names no operation: give the id of a deployment \(d-\.\.\.\), rollout \(r-\.\.\.\), rotation \(s-\.\.\.\) or teardown \(x-\.\.\.\)/);
  });

  it('refuses a rollout id in the direct Step Functions mode, which cancels deployments only', async () => {
    const out = await run('r-20250304050607-aaa111', {}, { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:consul-mesh-dev-deploy-mesh' });
    expect(out).toMatchObject({ code: 2, calls: [] });
    expect(out.stderr).toContain('is a rollout: only deployments are cancelled through Step Functions directly');
  });
});

describe('the messages', () => {
  it('names a rotation by its secret, a teardown and a deployment by their mesh, and an operation that held no lock', () => {
    expect(renderCancelled({ kind: 'rotation', id: 's-1', mesh: 'shop', secret: 'gossip-key', released: ['/consul-mesh/shop/lock'], note: 'n' })[0]).toBe(
      'Rotation s-1 of gossip-key in mesh "shop" cancelled; released its lock /consul-mesh/shop/lock.',
    );
    expect(renderCancelled({ kind: 'teardown', id: 'x-1', mesh: 'shop', released: [], note: 'n' })[0]).toBe('Teardown x-1 of mesh "shop" cancelled; it held no lock any more.');
    expect(renderCancelled({ kind: 'deployment', id: 'd-1', mesh: 'shop', released: ['/consul-mesh/shop/lock'], note: 'n' })[0]).toMatch(/^Deployment d-1 of mesh "shop" cancelled/);
  });

  it('chooses the only running operation and none of several', () => {
    expect(chooseRunning([ROLLOUT as never])).toEqual({ ok: true, operation: ROLLOUT });
    expect(chooseRunning([], 'shop')).toEqual({ ok: false, lines: ['meshctl cancel: nothing runs in mesh "shop": no deployment, rollout, rotation or teardown to cancel'] });
  });
});
