import { stringify } from 'yaml';
import { DEFAULT_DATAPLANE_CONTENT_HASH } from '../../../layers/build-context';
import { call, fakeClient, fakeDeps, MESH, v2Event } from './support';

const SPEC = {
  name: MESH,
  consul: { servers: { count: 3 }, dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } },
  clusters: [{ name: 'cluster-1', services: [{ name: 'users', image: 'users:1.0.0', port: 8080, desiredCount: 2 }] }],
};
const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('the router: authentication and routing', () => {
  it('refuses a request that reached it without the authorizer context with 401, before any route runs', async () => {
    const deps = fakeDeps();
    const res = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC), authorized: false }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    expect(deps.store.started).toEqual([]);
  });

  it('answers 404 in the error shape for a route it does not have', async () => {
    const res = await call(fakeDeps(), v2Event({ method: 'GET', path: '/nothing/here' }));
    expect(res.status).toBe(404);
    expect(res.body?.error.code).toBe('NotFound');
  });

  it('answers 400 (not 500) for a malformed percent-escape in a path parameter', async () => {
    const res = await call(fakeDeps(), v2Event({ method: 'GET', path: '/deployments/%E0%A4%A' }));
    expect(res.status).toBe(400);
  });

  it.each(['/deployments/%20', '/deployments/%20%20/cancel', '/services/%20/rollouts/r-1'])('answers 404 (not 500) for a blank path parameter: %s', async (path) => {
    const res = await call(fakeDeps(), v2Event({ method: path.endsWith('cancel') ? 'POST' : 'GET', path }));
    expect(res.status).toBe(404);
    expect(res.body?.error.code).toBe('NotFound');
  });

  it('ignores a body sent with GET instead of failing on it', async () => {
    const res = await call(fakeDeps(), v2Event({ method: 'GET', path: '/deployments', body: 'x', headers: { 'content-type': 'text/plain' } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });
});

describe('POST /deployments', () => {
  it('starts a deployment from a JSON spec: 202 with the id, RUNNING, and a Location', async () => {
    const deps = fakeDeps();
    const res = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC), query: { pollSeconds: '2', maxRounds: '50' } }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: 'd-20250304050607-abc000', status: 'RUNNING', mesh: MESH, attached: false });
    expect(res.headers.location).toBe('/deployments/d-20250304050607-abc000');
    expect(deps.store.started[0].input).toEqual({ deploymentId: 'd-20250304050607-abc000', spec: SPEC, settings: { pollSeconds: 2, maxRounds: 50 } });
  });

  it('reads YAML, also when API Gateway hands the body over base64-encoded', async () => {
    const deps = fakeDeps();
    const res = await call(deps, v2Event({ method: 'POST', path: '/deployments', body: stringify(SPEC), base64: true, headers: { 'content-type': 'application/yaml' } }));
    expect(res.status).toBe(202);
    expect(deps.store.started[0].input.spec).toEqual(SPEC);
    expect(deps.store.started[0].input.settings).toEqual({ pollSeconds: 5, maxRounds: 100 });
  });

  it('accepts a spec that names no dataplane, as meshctl validate does, filling the default meshctl deploy fills', async () => {
    const deps = fakeDeps();
    const spec = { name: MESH, clusters: SPEC.clusters };
    const res = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(spec) }));
    expect(res.status).toBe(202);
    expect(deps.store.started[0].input.spec).toEqual({
      ...spec,
      consul: { dataplane: { build: { context: 'docker/consul-dataplane', contentHash: DEFAULT_DATAPLANE_CONTENT_HASH } } },
    });
  });

  it('answers 400 naming the path of every invalid field, and starts nothing', async () => {
    const deps = fakeDeps();
    const bad = { ...SPEC, clusters: [{ name: 'cluster-1', services: [{ name: 'users', image: 'users:latest', port: 99999, colour: 'red' }] }] };
    const res = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(bad) }));
    expect(res.status).toBe(400);
    expect(res.body?.error.code).toBe('SpecInvalid');
    const paths = res.body?.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['clusters[0].services[0].image', 'clusters[0].services[0].port', 'clusters[0].services[0].colour']));
    expect(deps.store.started).toEqual([]);
  });

  it('answers 400 for bad JSON, bad YAML, a spec of another mesh, and a bad query parameter', async () => {
    const deps = fakeDeps();
    const cases = [
      v2Event({ method: 'POST', path: '/deployments', body: '{"name": ', headers: { 'content-type': 'application/json' } }),
      v2Event({ method: 'POST', path: '/deployments', body: 'name: [unclosed', headers: { 'content-type': 'application/yaml' } }),
      v2Event({ method: 'POST', path: '/deployments', ...json({ ...SPEC, name: 'other-mesh' }) }),
      v2Event({ method: 'POST', path: '/deployments', ...json(SPEC), query: { pollSeconds: 'soon' } }),
    ];
    const answers = await Promise.all(cases.map((event) => call(deps, event)));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(answers[2].body?.error.details).toEqual([{ path: 'name', message: expect.stringContaining(MESH) }]);
    expect(answers[3].body?.error.details).toEqual([{ path: 'query.pollSeconds', message: 'must be a whole number' }]);
    expect(deps.store.started).toEqual([]);
  });

  it('answers 415 for a body that is neither JSON nor YAML, and 413 above 256 KB', async () => {
    const deps = fakeDeps();
    const form = await call(deps, v2Event({ method: 'POST', path: '/deployments', body: 'a=b', base64: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(form.status).toBe(415);
    const huge = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json({ ...SPEC, padding: 'x'.repeat(300 * 1024) }) }));
    expect(huge.status).toBe(413);
    expect(huge.body?.error.code).toBe('PayloadTooLarge');
    expect(deps.store.started).toEqual([]);
  });

  it('answers 409 while another spec of the mesh deploys, and joins a deployment of the very same spec', async () => {
    const deps = fakeDeps();
    const first = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC) }));
    const same = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC) }));
    const other = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json({ ...SPEC, clusters: [{ name: 'cluster-1', services: [{ name: 'users', image: 'users:2.0.0', port: 8080 }] }] }) }));
    expect(same.status).toBe(202);
    expect(same.body).toMatchObject({ id: first.body?.id, attached: true });
    expect(other.status).toBe(409);
    expect(other.body?.error.code).toBe('ConcurrentOperation');
    expect(deps.store.started).toHaveLength(1);
  });

  it('answers 409 while a rollout of one of the mesh\'s services runs', async () => {
    const sfn = fakeClient((command) =>
      command.constructor.name === 'ListExecutionsCommand'
        ? { executions: [{ name: 'users-20250304050607-k3x9q0', executionArn: 'arn:aws:states:us-east-1:000000000000:execution:rollout:users-20250304050607-k3x9q0', status: 'RUNNING' }] }
        : {},
    );
    const deps = fakeDeps({ sfn: sfn as never });
    const res = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC) }));
    expect(res.status).toBe(409);
    expect(res.body?.error.message).toContain('r-20250304050607-k3x9q0');
    expect(deps.store.started).toEqual([]);
  });
});

describe('GET /deployments and /deployments/{id}', () => {
  it('pages newest first with an opaque token, and refuses a forged token with 400', async () => {
    const deps = fakeDeps();
    for (const image of ['users:1.0.0', 'users:1.0.1', 'users:1.0.2']) {
      await deps.store.start({ mesh: MESH, deploymentId: `d-2025030405060${image.slice(-1)}-aaaaaa`, specHash12: `00000000000${image.slice(-1)}`, input: { deploymentId: '', spec: {}, settings: { pollSeconds: 1, maxRounds: 1 } } });
      deps.store.executions[0].status = 'SUCCEEDED';
    }
    const first = await call(deps, v2Event({ method: 'GET', path: '/deployments', query: { limit: '2' } }));
    expect(first.status).toBe(200);
    expect(first.body?.items.map((i: { id: string }) => i.id)).toEqual(['d-20250304050602-aaaaaa', 'd-20250304050601-aaaaaa']);
    const second = await call(deps, v2Event({ method: 'GET', path: '/deployments', query: { limit: '2', nextToken: first.body?.nextToken } }));
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: 'd-20250304050600-aaaaaa', status: 'SUCCEEDED', mesh: MESH })] });
    const forged = await call(deps, v2Event({ method: 'GET', path: '/deployments', query: { nextToken: 'not-a-token' } }));
    expect(forged.status).toBe(400);
    expect(forged.body?.error.details).toEqual([{ path: 'query.nextToken', message: expect.any(String) }]);
    const unknown = await call(deps, v2Event({ method: 'GET', path: '/deployments', query: { colour: 'red', limit: '0' } }));
    expect(unknown.body?.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.colour', 'query.limit']);
  });

  it('answers 404 for an unknown deployment and for anything that is not a deployment id', async () => {
    const deps = fakeDeps();
    for (const id of ['d-20250304050607-zzzzzz', '..', '%2e%2e%2fetc', 'arn:aws:states:x']) {
      const res = await call(deps, v2Event({ method: 'GET', path: `/deployments/${id}` }));
      expect(res.status).toBe(404);
    }
  });

  it('cancels a running deployment: StopExecution, then the mesh lock it held is released; a second cancel is 409', async () => {
    const sfn = fakeClient(() => ({}));
    const ssm = fakeClient((command) => {
      if (command.constructor.name === 'GetParameterCommand') return { Parameter: { Value: JSON.stringify({ holder: deps.store.executions[0].id, expiresAt: Date.now() + 60_000 }) } };
      return {};
    });
    const deps = fakeDeps({ sfn: sfn as never, ssm: ssm as never });
    const started = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC) }));
    const res = await call(deps, v2Event({ method: 'POST', path: `/deployments/${started.body?.id}/cancel` }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: started.body?.id, status: 'ABORTED' });
    expect(sfn.calls.filter((c) => c.command !== 'ListExecutionsCommand')).toEqual([
      { command: 'StopExecutionCommand', input: expect.objectContaining({ executionArn: deps.store.executions[0].id }) },
    ]);
    expect(ssm.calls.map((c) => c.command)).toEqual(['GetParameterCommand', 'DeleteParameterCommand']);
    expect(ssm.calls[1].input).toEqual({ Name: `/consul-mesh/${MESH}/lock` });
    deps.store.executions[0].status = 'ABORTED';
    const again = await call(deps, v2Event({ method: 'POST', path: `/deployments/${started.body?.id}/cancel` }));
    expect(again.status).toBe(409);
  });
});

describe('the error mapper at work', () => {
  it('turns an unexpected failure into a 500 that says nothing, and logs it in full', async () => {
    const deps = fakeDeps();
    deps.store.listPage = async () => {
      throw new TypeError('cannot read properties of undefined (reading "secretThing")');
    };
    const res = await call(deps, v2Event({ method: 'GET', path: '/deployments' }));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'InternalError', message: 'internal error' } });
    const logged = res.logger.lines.find((l) => l.level === 'error');
    expect(logged?.attributes.error).toBeInstanceOf(TypeError);
  });

  it('answers 503 when a dependency is down (Consul), not 500 and not 4xx', async () => {
    const res = await call(fakeDeps(), v2Event({ method: 'GET', path: '/mesh' }));
    expect(res.status).toBe(503);
    expect(res.body?.error.code).toBe('ServiceUnavailable');
  });
});
