import { startHarness, type ConsulHarness } from './helpers';

/**
 * `/v1/connect/intentions/exact` and `/check` over the `service-intentions` entries, with Consul's naming of a peer's
 * source (`peer:<peer>/<name>`, accepted by `exact` only) and precedence.
 */
const READER = '4c1d6a2e-9f57-4b1e-8f59-2f8d0a6b7c31';

describe('Consul emulator: /v1/connect/intentions', () => {
  let consul: ConsulHarness;
  const root = { 'X-Consul-Token': 'root-secret' };

  beforeEach(async () => {
    consul = await startHarness({ acl: { enabled: true, managementToken: 'root-secret' } });
    await consul.put(
      '/v1/config',
      {
        Kind: 'service-intentions',
        Name: 'todos',
        Sources: [
          { Name: 'users', Peer: 'east', Action: 'allow' },
          { Name: 'activities', Peer: 'east', Action: 'deny' },
          { Name: 'users', Action: 'deny' },
          { Name: 'notifications', Action: 'allow' },
          { Name: 'web', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: '/' } }] },
        ],
      },
      root,
    );
    await consul.put('/v1/config', { Kind: 'service-intentions', Name: '*', Sources: [{ Name: 'billing', Action: 'allow' }] }, root);
  });

  afterEach(async () => {
    await consul.close();
  });

  const exact = (source: string, destination = 'todos') => consul.get(`/v1/connect/intentions/exact?source=${encodeURIComponent(source)}&destination=${destination}`, root);
  const allowed = async (source: string, destination = 'todos') =>
    ((await (await consul.get(`/v1/connect/intentions/check?source=${encodeURIComponent(source)}&destination=${destination}`, root)).json()) as { Allowed: boolean }).Allowed;

  it('reads the intention of a peer\'s source by peer and name, apart from a local source of the same name', async () => {
    expect(await (await exact('peer:east/users')).json()).toMatchObject({ SourceName: 'users', SourcePeer: 'east', DestinationName: 'todos', Action: 'allow', Precedence: 9 });
    expect(await (await exact('peer:east/activities')).json()).toMatchObject({ SourcePeer: 'east', Action: 'deny' });
    const local = await (await exact('users')).json();
    expect(local).toMatchObject({ SourceName: 'users', Action: 'deny' });
    expect(local.SourcePeer).toBeUndefined();
    const missing = await exact('peer:west/users');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Intention not found');
  });

  it('checks a local source by precedence and the default, and refuses a peer source as Consul does', async () => {
    expect(await allowed('notifications')).toBe(true);
    expect(await allowed('users')).toBe(false);
    // L7 intentions count as deny for this L4 check.
    expect(await allowed('web')).toBe(false);
    // `* → billing allow` (precedence 6) applies to todos too.
    expect(await allowed('billing')).toBe(true);
    // Nothing matches: ACLs' default_policy deny.
    expect(await allowed('nobody')).toBe(false);
    const peered = await consul.get('/v1/connect/intentions/check?source=peer:east/users&destination=todos', root);
    expect(peered.status).toBe(500);
    expect(await peered.text()).toBe('source "peer:east/users" is invalid: cannot specify a peer here');
  });

  it('needs intentions:read on the destination for exact, service:read for check', async () => {
    await consul.put('/v1/acl/policy', { Name: 'reader', Rules: 'service "todos" {\n  policy = "read"\n  intentions = "deny"\n}\n' }, root);
    expect((await consul.put('/v1/acl/token', { SecretID: READER, Policies: [{ Name: 'reader' }] }, root)).status).toBe(200);
    const token = { 'X-Consul-Token': READER };
    const denied = await consul.get('/v1/connect/intentions/exact?source=peer:east/users&destination=todos', token);
    expect(denied.status).toBe(403);
    expect(await denied.text()).toMatch(/lacks permission 'intentions:read' on "todos"/);
    expect((await consul.get('/v1/connect/intentions/check?source=users&destination=todos', token)).status).toBe(200);
  });

  it('names a missing parameter', async () => {
    const res = await consul.get('/v1/connect/intentions/check?destination=todos', root);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("required query parameter 'source' not set");
  });
});
