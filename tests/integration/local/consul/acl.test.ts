import { startHarness, taskRegistration, type ConsulHarness } from './helpers';

describe('Consul emulator: ACLs', () => {
  let consul: ConsulHarness;
  let readerAccessor: string;

  beforeAll(async () => {
    consul = await startHarness({ acl: { enabled: true, managementToken: 'root-secret' } });
    readerAccessor = consul.server.addToken('reader-secret', 'read');
    consul.server.addToken('writer-secret', 'write');
  });

  afterAll(async () => {
    await consul.close();
  });

  it('refuses a request without token as the anonymous token', async () => {
    const res = await consul.get('/v1/kv/app');

    expect(res.status).toBe(403);
    expect(await res.text()).toBe(`Permission denied: anonymous token lacks permission 'key:read' on "app"`);
  });

  it('refuses an unknown token with "ACL not found"', async () => {
    const res = await consul.get('/v1/catalog/services', { 'X-Consul-Token': 'who-knows' });

    expect(res.status).toBe(403);
    expect(await res.text()).toBe('ACL not found');
  });

  it('lets a write token write and a read token only read', async () => {
    const write = await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'), {
      'X-Consul-Token': 'writer-secret',
    });
    const read = await consul.get('/v1/catalog/service/users', { 'X-Consul-Token': 'reader-secret' });
    const denied = await consul.put('/v1/kv/app', 'x', { 'X-Consul-Token': 'reader-secret' });

    expect(write.status).toBe(200);
    expect(read.status).toBe(200);
    expect(await read.json()).toHaveLength(1);
    expect(denied.status).toBe(403);
    expect(await denied.text()).toBe(
      `Permission denied: token with AccessorID '${readerAccessor}' lacks permission 'key:write' on "app"`,
    );
  });

  it('accepts the token as ?token= and as Authorization: Bearer', async () => {
    const query = await consul.put('/v1/kv/q?token=writer-secret', 'v');
    const bearer = await consul.get('/v1/kv/q', { Authorization: 'Bearer root-secret' });

    expect(query.status).toBe(200);
    expect(bearer.status).toBe(200);
  });

  it('reports a read token writing through /v1/txn as a failed operation', async () => {
    const res = await consul.put('/v1/txn', [{ KV: { Verb: 'set', Key: 'k', Value: '' } }], {
      'X-Consul-Token': 'reader-secret',
    });

    expect(res.status).toBe(409);
    expect((await res.json()).Errors[0].What).toMatch(/^Permission denied: token with AccessorID/);
  });

  it('serves /v1/status without any token', async () => {
    const res = await consul.get('/v1/status/leader');

    expect(res.status).toBe(200);
    expect(await res.json()).toBe('127.0.0.1:8300');
  });
});

describe('Consul emulator: ACL policies and tokens', () => {
  let consul: ConsulHarness;
  const root = { 'X-Consul-Token': 'root-secret' };
  const USERS_SECRET = 'a5c6a0f4-1f0e-4c8e-9a57-3d1c2b7e0001';
  const ORCH_SECRET = 'a5c6a0f4-1f0e-4c8e-9a57-3d1c2b7e0002';
  const ORCH_ACCESSOR = 'b6d7b1f5-2a1f-4d9f-8b68-4e2d3c8f0002';

  beforeAll(async () => {
    consul = await startHarness({ acl: { enabled: true, managementToken: 'root-secret' } });
  });

  afterAll(async () => {
    await consul.close();
  });

  it('creates a policy and a token with the SecretID and AccessorID it is given, and reads them back', async () => {
    const rules = 'node "cluster-1" {\n  policy = "write"\n}\nservice "users" {\n  policy = "write"\n  intentions = "write"\n}\nkey_prefix "consul-mesh/m/" {\n  policy = "write"\n}\nmesh = "write"\n';
    const created = await consul.put('/v1/acl/policy', { Name: 'orchestrator', Rules: rules }, root);
    expect(created.status).toBe(200);
    const policy = await created.json();
    const token = await consul.put('/v1/acl/token', { AccessorID: ORCH_ACCESSOR, SecretID: ORCH_SECRET, Policies: [{ Name: 'orchestrator' }] }, root);
    const identity = await consul.put('/v1/acl/token', { SecretID: USERS_SECRET, ServiceIdentities: [{ ServiceName: 'users' }] }, root);

    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ AccessorID: ORCH_ACCESSOR, SecretID: ORCH_SECRET, Policies: [{ ID: policy.ID, Name: 'orchestrator' }] });
    expect(identity.status).toBe(200);
    expect(await (await consul.get(`/v1/acl/token/${ORCH_ACCESSOR}`, root)).json()).toMatchObject({ SecretID: ORCH_SECRET });
    expect(await (await consul.get('/v1/acl/policy/name/orchestrator', root)).json()).toMatchObject({ ID: policy.ID, Rules: rules });
    expect(((await (await consul.get('/v1/acl/tokens', root)).json()) as Array<{ AccessorID: string }>).map((t) => t.AccessorID)).toContain(ORCH_ACCESSOR);
    expect(await (await consul.get('/v1/acl/token/self', { 'X-Consul-Token': USERS_SECRET })).json()).toMatchObject({ ServiceIdentities: [{ ServiceName: 'users' }] });
  });

  it('refuses a second token with a SecretID already in use, and a policy name taken', async () => {
    const token = await consul.put('/v1/acl/token', { SecretID: ORCH_SECRET }, root);
    const policy = await consul.put('/v1/acl/policy', { Name: 'orchestrator', Rules: '' }, root);

    expect(token.status).toBe(500);
    expect(await token.text()).toBe('Invalid Token: SecretID is already in use');
    expect(policy.status).toBe(500);
    expect(await policy.text()).toMatch(/already exists/);
  });

  it('lets only the management token manage ACLs', async () => {
    const res = await consul.put('/v1/acl/policy', { Name: 'mine', Rules: 'acl = "write"\n' }, { 'X-Consul-Token': ORCH_SECRET });

    expect(res.status).toBe(403);
    expect(await res.text()).toBe(`Permission denied: token with AccessorID '${ORCH_ACCESSOR}' lacks permission 'acl:write'`);
  });

  it('lets a service identity register its own service, and not another service', async () => {
    const own = await consul.put('/v1/txn', [{ Service: { Verb: 'set', Node: 'cluster-1', Service: { ID: 'users-1', Service: 'users', Port: 8080 } } }], {
      'X-Consul-Token': USERS_SECRET,
    });
    // On a node that exists unchanged, only the service permission is left to check (Consul's ChangesNode).
    expect((await consul.put('/v1/catalog/register', { ...taskRegistration('todos', 't1'), Service: undefined, Check: undefined }, root)).status).toBe(200);
    const other = await consul.put('/v1/catalog/register', taskRegistration('todos', 't1'), { 'X-Consul-Token': USERS_SECRET });
    const read = await consul.get('/v1/health/service/todos', { 'X-Consul-Token': USERS_SECRET });

    // The txn needs the node to exist; what matters is that the service write passed the ACL check.
    expect(JSON.stringify(await own.json())).not.toMatch(/Permission denied/);
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/lacks permission 'service:write' on "todos"$/);
    expect(read.status).toBe(200);
  });

  it('gives the orchestrator policy exactly its nodes, services, KV prefix and mesh config', async () => {
    const orch = { 'X-Consul-Token': ORCH_SECRET };
    expect((await consul.put('/v1/catalog/register', taskRegistration('users', 'u1'), orch)).status).toBe(200);
    expect((await consul.put('/v1/kv/consul-mesh/m/spec', '{}', orch)).status).toBe(200);
    expect((await consul.put('/v1/config', { Kind: 'ingress-gateway', Name: 'gw', Listeners: [] }, orch)).status).toBe(200);
    expect((await consul.put('/v1/config', { Kind: 'service-intentions', Name: 'users', Sources: [] }, orch)).status).toBe(200);

    // As Consul's vetServiceTxnOp: a transaction's service delete is authorized on the name it carries.
    const byIdOnly = await consul.put('/v1/txn', [{ Service: { Verb: 'delete', Node: 'cluster-1', Service: { ID: 'users-u1' } } }], orch);
    expect(byIdOnly.status).toBe(409);
    expect((await byIdOnly.json()).Errors[0].What).toMatch(/lacks permission 'service:write' on ""$/);
    const named = await consul.put('/v1/txn', [{ Service: { Verb: 'delete', Node: 'cluster-1', Service: { ID: 'users-u1', Service: 'users' } } }], orch);
    expect(named.status).toBe(200);

    const otherNode = await consul.put('/v1/catalog/register', taskRegistration('users', 'u2', 'passing', 'cluster-9'), orch);
    const otherKey = await consul.put('/v1/kv/other/key', 'x', orch);
    expect(otherNode.status).toBe(403);
    expect(await otherNode.text()).toMatch(/lacks permission 'node:write' on "cluster-9"$/);
    expect(otherKey.status).toBe(403);
  });
});
