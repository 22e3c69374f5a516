import { stringify } from 'yaml';
import { DEFAULT_DATAPLANE_CONTENT_HASH } from '../../../layers/build-context';
import { createSfnApi } from '../../../layers/adapters/sfn';
import { createSsmApi } from '../../../layers/adapters/ssm';
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
    const deps = fakeDeps({ sfn: createSfnApi(sfn as never) });
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
    const deps = fakeDeps({ sfn: createSfnApi(sfn as never), ssm: createSsmApi(ssm as never) });
    const started = await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC) }));
    const res = await call(deps, v2Event({ method: 'POST', path: `/deployments/${started.body?.id}/cancel` }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: started.body?.id, status: 'ABORTED' });
    expect(sfn.calls.filter((c) => c.command !== 'ListExecutionsCommand')).toEqual([
      { command: 'StopExecutionCommand', input: expect.objectContaining({ executionArn: deps.store.executions[0].id }) },
    ]);
    // The rollout locks are looked through too (a deployment holds none), then the mesh lock it held is deleted.
    expect(ssm.calls.map((c) => c.command)).toEqual(['GetParametersByPathCommand', 'GetParameterCommand', 'DeleteParameterCommand']);
    expect(ssm.calls[2].input).toEqual({ Name: `/consul-mesh/${MESH}/lock` });
    expect(res.body).toMatchObject({ kind: 'deployment', released: [`/consul-mesh/${MESH}/lock`], note: expect.stringContaining('next deployment converges') });
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

describe('the operations: GET /operations and POST /operations/{id}/cancel', () => {
  const MACHINE = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:consul-mesh-dev-${name}`;
  const EXECUTION = (name: string, execution: string) => `${MACHINE(name).replace(':stateMachine:', ':execution:')}:${execution}`;
  const ROLLOUT = EXECUTION('rollout-service', 'users-20250304050607-aaa111');
  const ROTATION = EXECUTION('rotate-secret', 's-20250304050608-bbb222');
  const TEARDOWN = EXECUTION('destroy-mesh', 'x-20250304050609-ccc333');
  type Execution = { arn: string; machine: string; status: string; input: unknown; history: unknown[] };
  const entered = (id: number, name: string) => ({ id, type: 'TaskStateEntered', stateEnteredEventDetails: { name } });
  const exited = (id: number, name: string, output: unknown) => ({ id, type: 'TaskStateExited', stateExitedEventDetails: { name, output: JSON.stringify(output) } });

  /** Step Functions with a table of executions, and SSM with the locks (name → holder). */
  function operationDeps(executions: Execution[], locks: Record<string, string>) {
    const sfn = fakeClient((command) => {
      const input = command.input as { stateMachineArn?: string; executionArn?: string; statusFilter?: string };
      const found = executions.find((e) => e.arn === input.executionArn);
      switch (command.constructor.name) {
        case 'ListExecutionsCommand':
          return {
            executions: executions
              .filter((e) => e.machine === input.stateMachineArn && (!input.statusFilter || e.status === input.statusFilter))
              .map((e) => ({ executionArn: e.arn, name: e.arn.slice(e.arn.lastIndexOf(':') + 1), status: e.status, startDate: new Date('2025-03-04T05:06:10Z') })),
          };
        case 'DescribeExecutionCommand':
          if (!found) throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
          return { executionArn: found.arn, name: found.arn.slice(found.arn.lastIndexOf(':') + 1), status: found.status, input: JSON.stringify(found.input) };
        case 'StopExecutionCommand':
          found!.status = 'ABORTED';
          return { stopDate: new Date() };
        case 'GetExecutionHistoryCommand':
          return { events: found?.history ?? [] };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    });
    const ssm = fakeClient((command) => {
      const input = command.input as { Name?: string; Path?: string };
      const value = (holder: string) => JSON.stringify({ holder, expiresAt: Date.now() + 60_000 });
      switch (command.constructor.name) {
        case 'GetParametersByPathCommand':
          return { Parameters: Object.entries(locks).filter(([name]) => name.startsWith(`${input.Path}/`)).map(([Name, holder]) => ({ Name, Value: value(holder) })) };
        case 'GetParameterCommand':
          if (!locks[input.Name!]) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
          return { Parameter: { Name: input.Name, Value: value(locks[input.Name!]) } };
        case 'DeleteParameterCommand':
          delete locks[input.Name!];
          return {};
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    });
    const deps = fakeDeps({
      sfn: createSfnApi(sfn as never),
      ssm: createSsmApi(ssm as never),
      rolloutStateMachineArn: MACHINE('rollout-service'),
      rotateStateMachineArn: MACHINE('rotate-secret'),
      destroyStateMachineArn: MACHINE('destroy-mesh'),
    });
    return { deps, sfn, locks };
  }

  it('lists what runs in the mesh, of every kind, with the id to cancel it by, its service or secret', async () => {
    const executions: Execution[] = [];
    const { deps } = operationDeps(executions, {});
    expect((await call(deps, v2Event({ method: 'POST', path: '/deployments', ...json(SPEC) }))).status).toBe(202);
    executions.push(
      { arn: ROLLOUT, machine: MACHINE('rollout-service'), status: 'RUNNING', input: { service: 'users' }, history: [] },
      { arn: ROTATION, machine: MACHINE('rotate-secret'), status: 'RUNNING', input: { request: { secret: 'gossip-key' } }, history: [] },
      { arn: TEARDOWN, machine: MACHINE('destroy-mesh'), status: 'SUCCEEDED', input: {}, history: [] },
    );
    const res = await call(deps, v2Event({ method: 'GET', path: '/operations' }));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ kind: 'deployment', id: 'd-20250304050607-abc000', status: 'RUNNING', mesh: MESH }),
      expect.objectContaining({ kind: 'rollout', id: 'r-20250304050607-aaa111', service: 'users', execution: 'users-20250304050607-aaa111' }),
      expect.objectContaining({ kind: 'rotation', id: 's-20250304050608-bbb222', secret: 'gossip-key' }),
    ]);
  });

  it('cancels a rollout by its id alone: StopExecution, its service lock released at once, and says ECS goes on converging', async () => {
    const prepared = { service: 'users', cluster: 'cluster-1', previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/reference-mesh-users:3' };
    const history = [
      entered(2, 'Prepare'),
      exited(3, 'Prepare', { prepared }),
      entered(4, 'Register'),
      exited(5, 'Register', { prepared, revision: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/reference-mesh-users:4' } }),
      entered(6, 'Update'),
    ];
    const { deps, sfn, locks } = operationDeps([{ arn: ROLLOUT, machine: MACHINE('rollout-service'), status: 'RUNNING', input: { service: 'users' }, history }], {
      [`/consul-mesh/${MESH}/rollouts/users/lock`]: ROLLOUT,
      [`/consul-mesh/${MESH}/rollouts/todos/lock`]: 'arn:aws:states:us-east-1:000000000000:execution:consul-mesh-dev-rollout-service:todos-20250304050607-zzz999',
    });
    const res = await call(deps, v2Event({ method: 'POST', path: '/operations/r-20250304050607-aaa111/cancel' }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: 'r-20250304050607-aaa111', kind: 'rollout', status: 'ABORTED', service: 'users', released: [`/consul-mesh/${MESH}/rollouts/users/lock`] });
    expect(res.body.note).toMatch(/^ECS goes on with the rolling update it was given: service users \(cluster cluster-1\) converges to reference-mesh-users:4/);
    expect(sfn.calls.find((c) => c.command === 'StopExecutionCommand')?.input).toMatchObject({ executionArn: ROLLOUT, error: 'Cancelled' });
    // Another rollout's lock is left alone.
    expect(Object.keys(locks)).toEqual([`/consul-mesh/${MESH}/rollouts/todos/lock`]);
  });

  it('cancels a rotation, releasing the mesh lock, and says both secrets work once the new one is stored', async () => {
    const history = [entered(2, 'Prepare'), exited(3, 'Store', { prepared: { parameter: '/consul-mesh/reference-mesh/secrets/gossip-key' }, stored: { version: 4, previousVersion: 3 } }), entered(4, 'WaitRolled')];
    const { deps, locks } = operationDeps([{ arn: ROTATION, machine: MACHINE('rotate-secret'), status: 'RUNNING', input: { request: { secret: 'gossip-key' } }, history }], {
      [`/consul-mesh/${MESH}/lock`]: ROTATION,
    });
    const res = await call(deps, v2Event({ method: 'POST', path: '/operations/s-20250304050608-bbb222/cancel' }));
    expect(res.body).toMatchObject({ kind: 'rotation', status: 'ABORTED', secret: 'gossip-key', released: [`/consul-mesh/${MESH}/lock`] });
    expect(res.body.note).toMatch(/^Version 4 of \/consul-mesh\/reference-mesh\/secrets\/gossip-key is stored and live in Consul next to the old one, which still works/);
    expect(locks).toEqual({});
  });

  it('says a teardown ended and cancels nothing (409), and answers 404 for an id of no operation', async () => {
    const { deps, sfn } = operationDeps([{ arn: TEARDOWN, machine: MACHINE('destroy-mesh'), status: 'SUCCEEDED', input: {}, history: [] }], {});
    const ended = await call(deps, v2Event({ method: 'POST', path: '/operations/x-20250304050609-ccc333/cancel' }));
    expect(ended.status).toBe(409);
    expect(ended.body.error).toEqual({ code: 'AlreadyEnded', message: 'teardown x-20250304050609-ccc333 has already ended (SUCCEEDED): nothing to cancel' });
    expect(sfn.calls.map((c) => c.command)).not.toContain('StopExecutionCommand');
    for (const id of ['x-20250304050609-zzz000', 'r-20250304050607-zzz000', 'q-20250304050607-aaa111', 'users']) {
      const res = await call(deps, v2Event({ method: 'POST', path: `/operations/${id}/cancel` }));
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
    }
  });
});
