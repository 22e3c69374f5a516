import { createBackend, MissingTokenError, resolveApiTarget } from '../../../cli/backend-factory';
import { ApiAuthError, ApiUnreachableError, HttpApiBackend, LOCAL_API_TOKEN, LOCAL_API_URL } from '../../../cli/http-backend';
import { renderRolloutFrame, renderRolloutOutcome, renderRolloutTransitions } from '../../../cli/rollout-text';
import type { RolloutView } from '../../../layers/api/contract';
import { StepFunctionsBackend } from '../../../layers/executions/sfn-backend';
import { ConcurrentOperationError, NotFoundError } from '../../../layers/errors';

const TOKEN = 'cli-test-token-0123456789';

/** A fetch that answers from a table and records what it was asked. */
function stubFetch(answers: Record<string, { status: number; body: unknown }>) {
  const calls: Array<{ url: string; method: string; headers: Record<string, string>; body?: string }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, method: init.method ?? 'GET', headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    const key = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
    const answer = answers[key] ?? { status: 404, body: { message: 'Not Found' } };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

const VIEW = {
  id: 'd-20250304050607-k3x9q0',
  mesh: 'shop',
  status: 'FAILED',
  executionStatus: 'FAILED',
  execution: 'shop-0123456789ab-20250304050607-k3x9q0',
  startedAt: '2025-03-04T05:06:07.000Z',
  stoppedAt: '2025-03-04T05:07:07.000Z',
  stages: [{ name: 'plan', state: 'done' }, { name: 'servers', state: 'failed', error: { error: 'StageTimedOut' } }],
  services: [{ stage: 'servers', cluster: 'consul-server', name: 'consul-server', desiredCount: 3, runningCount: 1 }],
  images: [],
  error: 'StageTimedOut',
  cause: '{"stage":"servers","error":"StageTimedOut","message":"not ready"}',
};

describe('the HTTP API backend', () => {
  it('starts a deployment with the spec as JSON, the settings in the query, and the token as a bearer token', async () => {
    const { calls, fetchImpl } = stubFetch({ 'POST /deployments': { status: 202, body: { id: VIEW.id, status: 'RUNNING', execution: VIEW.execution, attached: false } } });
    const backend = new HttpApiBackend({ url: 'http://api.test/', token: TOKEN, fetch: fetchImpl });
    const started = await backend.start({ mesh: 'shop', deploymentId: 'd-ignored', specHash12: 'x', input: { deploymentId: 'd-ignored', spec: { name: 'shop' }, settings: { pollSeconds: 2, maxRounds: 30 } } });
    expect(started).toEqual({ id: VIEW.id, name: VIEW.execution, deploymentId: VIEW.id, attached: false });
    expect(calls[0]).toEqual({ url: 'http://api.test/deployments?pollSeconds=2&maxRounds=30', method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"name":"shop"}' });
  });

  it('describes a deployment with its progress filled, so the watcher needs no history', async () => {
    const { fetchImpl } = stubFetch({ [`GET /deployments/${VIEW.id}`]: { status: 200, body: VIEW } });
    const backend = new HttpApiBackend({ url: 'http://api.test', token: TOKEN, fetch: fetchImpl });
    const description = await backend.describe(VIEW.id);
    expect(description).toMatchObject({ id: VIEW.id, name: VIEW.execution, status: 'FAILED', mesh: 'shop', error: 'StageTimedOut', startedAt: new Date(VIEW.startedAt) });
    expect(description.progress?.stages[1]).toEqual({ name: 'servers', state: 'failed', error: { error: 'StageTimedOut' } });
    expect(description.progress?.executionError).toEqual({ error: 'StageTimedOut', cause: VIEW.cause });
    expect(await backend.history()).toEqual([]);
  });

  it('turns the API\'s errors into the named errors the commands handle, never echoing the token', async () => {
    const { fetchImpl } = stubFetch({
      'POST /deployments': { status: 409, body: { error: { code: 'ConcurrentOperation', message: 'another deployment of mesh "shop" is running' } } },
      'GET /deployments/d-20250304050607-zzzzzz': { status: 404, body: { error: { code: 'NotFound', message: 'no deployment d-20250304050607-zzzzzz' } } },
      'GET /deployments': { status: 403, body: { message: 'Forbidden' } },
    });
    const backend = new HttpApiBackend({ url: 'http://api.test', token: TOKEN, fetch: fetchImpl });
    const input = { deploymentId: 'd', spec: {}, settings: { pollSeconds: 1, maxRounds: 1 } };
    await expect(backend.start({ mesh: 'shop', deploymentId: 'd', specHash12: 'x', input })).rejects.toBeInstanceOf(ConcurrentOperationError);
    await expect(backend.describe('d-20250304050607-zzzzzz')).rejects.toBeInstanceOf(NotFoundError);
    const refused = backend.list({});
    await expect(refused).rejects.toBeInstanceOf(ApiAuthError);
    await expect(refused).rejects.not.toThrow(TOKEN);
  });

  it('says where it could not connect', async () => {
    const fetchImpl = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    const backend = new HttpApiBackend({ url: 'http://127.0.0.1:9', token: TOKEN, fetch: fetchImpl });
    await expect(backend.list({})).rejects.toEqual(expect.objectContaining({ name: 'ApiUnreachable', message: expect.stringContaining('http://127.0.0.1:9 (ECONNREFUSED)') }));
    await expect(backend.list({})).rejects.toBeInstanceOf(ApiUnreachableError);
  });

  it('resolves deployment ids, and execution names or ARNs by the id they carry', async () => {
    const backend = new HttpApiBackend({ url: 'http://api.test', token: TOKEN, fetch: stubFetch({}).fetchImpl });
    expect(await backend.resolveId(VIEW.id)).toBe(VIEW.id);
    expect(await backend.resolveId(VIEW.execution)).toBe(VIEW.id);
    expect(await backend.resolveId(`arn:aws:states:us-east-1:000000000000:execution:deploy:${VIEW.execution}`)).toBe(VIEW.id);
    await expect(backend.resolveId('whatever')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the API unavailable (503)', () => {
  it('says Consul may have no leader because no mesh is deployed, not only to try again', async () => {
    const { fetchImpl } = stubFetch({
      'GET /mesh': { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'a service the API depends on is unavailable; try again shortly' } } },
    });
    const backend = new HttpApiBackend({ url: 'http://api.test', token: TOKEN, fetch: fetchImpl });
    const error = await backend.getMesh().then(() => undefined, (e: unknown) => e as Error & { status?: number });
    expect(error).toMatchObject({ name: 'ApiError', status: 503 });
    expect(error?.message).toContain('try again shortly');
    expect(error?.message).toContain("Consul has no leader until the mesh's first deployment and after a teardown: meshctl status shows the latest deployment");
  });
});

describe('choosing the backend', () => {
  const clients = () => ({ sfn: { send: async () => ({}) }, ecs: { send: async () => ({}) } }) as never;

  it('goes through the local cloud\'s HTTP API with its documented token when told nothing', async () => {
    const { calls, fetchImpl } = stubFetch({ 'GET /deployments': { status: 200, body: { items: [] } } });
    const backend = createBackend({}, { env: {}, clients, fetch: fetchImpl });
    expect(backend).toBeInstanceOf(HttpApiBackend);
    await backend.list({});
    expect(calls[0].url.startsWith(`${LOCAL_API_URL}/deployments`)).toBe(true);
    expect(calls[0].headers.authorization).toBe(`Bearer ${LOCAL_API_TOKEN}`);
  });

  it('prefers flags over the environment, and Step Functions only when asked for', () => {
    expect(createBackend({ stateMachineArn: 'arn:sm' }, { env: {}, clients })).toBeInstanceOf(StepFunctionsBackend);
    expect(createBackend({}, { env: { DEPLOY_STATE_MACHINE_ARN: 'arn:sm' }, clients })).toBeInstanceOf(StepFunctionsBackend);
    expect(createBackend({}, { env: { DEPLOY_STATE_MACHINE_ARN: 'arn:sm', MESH_API_URL: 'https://api', MESH_API_TOKEN: TOKEN }, clients })).toBeInstanceOf(HttpApiBackend);
    expect(createBackend({ apiUrl: 'https://api', token: TOKEN, stateMachineArn: 'arn:sm' }, { env: {}, clients })).toBeInstanceOf(HttpApiBackend);
    expect(() => createBackend({ apiUrl: 'https://api.example' }, { env: {}, clients })).toThrow(/no token for the HTTP API/);
  });

  it('gives every local API the documented token, the second region\'s too (npm start prints MESH_API_URL=<it> npx meshctl status), and no other', () => {
    for (const url of ['http://127.0.0.1:3010', 'http://localhost:3000', 'http://[::1]:4000/']) {
      expect(resolveApiTarget({}, { MESH_API_URL: url })).toEqual({ url, token: LOCAL_API_TOKEN });
    }
    expect(resolveApiTarget({ apiUrl: 'http://127.0.0.1:3010', token: TOKEN }, {})).toEqual({ url: 'http://127.0.0.1:3010', token: TOKEN });
    for (const url of ['https://abc.execute-api.us-east-1.amazonaws.com', 'http://127.0.0.2.example:3000', 'not a url']) {
      expect(() => resolveApiTarget({ apiUrl: url }, {})).toThrow(MissingTokenError);
    }
  });
});

describe('the rollout view', () => {
  const base: RolloutView = {
    id: 'r-20250304050607-k3x9q0',
    service: 'users',
    status: 'RUNNING',
    execution: 'users-20250304050607-k3x9q0',
    executionStatus: 'RUNNING',
    request: { image: 'users:1.1.0' },
    steps: [
      { name: 'prepare', state: 'done' },
      { name: 'build', state: 'skipped' },
      { name: 'register', state: 'done' },
      { name: 'update', state: 'done' },
      { name: 'stabilize', state: 'running' },
      { name: 'bake', state: 'pending' },
      { name: 'rollback', state: 'pending' },
    ],
    check: { phase: 'stabilize', round: 2, waitingFor: 'Consul registrations: 1/2 passing', desiredCount: 2, runningCount: 2, bakeRound: 0 },
  };

  it('prints each step change and a running step\'s new detail once', () => {
    const first = renderRolloutTransitions(undefined, base);
    expect(first).toEqual(['[prepare] done', '[build] skipped', '[register] done', '[update] done', '[stabilize] running, round 2, waiting for Consul registrations: 1/2 passing']);
    expect(renderRolloutTransitions(base, base)).toEqual([]);
    const later = { ...base, check: { ...base.check!, round: 3, waitingFor: '' } };
    expect(renderRolloutTransitions(base, later)).toEqual(['[stabilize] running, round 3']);
    expect(renderRolloutFrame(base)[0]).toBe('Rollout r-20250304050607-k3x9q0 of users (image users:1.1.0): RUNNING');
  });

  it('ends with what is live, or the step, error, cause and the revision rolled back to', () => {
    const old = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:4';
    const fresh = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:5';
    const ok = renderRolloutOutcome({ ...base, status: 'SUCCEEDED', previousTaskDefinitionArn: old, liveTaskDefinitionArn: fresh, check: { ...base.check!, registeredPassing: 2 } });
    expect(ok.out).toEqual(['Rolled out users: mesh-users:5 is live (was mesh-users:4), 2/2 passing in Consul']);
    const back = renderRolloutOutcome({
      ...base,
      status: 'ROLLED_BACK',
      liveTaskDefinitionArn: old,
      failure: { service: 'users', step: 'stabilize', error: 'DeploymentFailed', message: 'tasks failed to start; rolled back to mesh-users:4', rolledBack: true },
    });
    expect(back.err).toEqual([
      'Rollout r-20250304050607-k3x9q0 of users ROLLED_BACK in step stabilize',
      '  error:   DeploymentFailed',
      '  cause:   tasks failed to start; rolled back to mesh-users:4',
      '  live:    mesh-users:4 (rolled back)',
    ]);
  });
});
