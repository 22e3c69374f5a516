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
