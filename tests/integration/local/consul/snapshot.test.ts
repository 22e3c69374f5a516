import { indexOf, startHarness, taskRegistration, type ConsulHarness } from './helpers';

/**
 * `GET /v1/snapshot` saves the whole state (KV and its tombstones, catalog, config entries, ACL policies and tokens)
 * at an index; `PUT /v1/snapshot` brings it back into a new, empty datacenter. Both need `acl:write`.
 */
describe('Consul emulator: snapshots', () => {
  let consul: ConsulHarness;
  let running: string[];
  const management = '5d2f1f3c-57e3-4a4b-9a51-6f3c2ad7d0a1';
  const auth = { 'X-Consul-Token': management };

  beforeEach(async () => {
    running = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    consul = await startHarness({ acl: { enabled: true, managementToken: management }, quorumSource: () => ({ expected: 3, serverAddresses: running }) });
  });
  afterEach(async () => {
    await consul.close();
  });

  const save = async (headers: Record<string, string> = auth) => consul.get('/v1/snapshot', headers);
  const restore = async (body: Buffer, headers: Record<string, string> = auth) =>
    fetch(`${consul.server.url}/v1/snapshot`, { method: 'PUT', body: new Uint8Array(body), headers });
  const loseEveryServer = () => {
    running = [];
    consul.server.observeServers();
    running = ['10.0.0.7', '10.0.0.8', '10.0.0.9'];
    consul.server.observeServers();
  };

  it('restores KV, tombstones, the catalog, config entries and ACLs into a new datacenter, with the index moving on', async () => {
    expect((await consul.put('/v1/kv/team/setting', 'blue', auth)).status).toBe(200);
    expect((await consul.put('/v1/kv/consul-mesh/m/tombstones/t1', 'stopped', auth)).status).toBe(200);
    expect((await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'), auth)).status).toBe(200);
    expect((await consul.put('/v1/config', { Kind: 'service-defaults', Name: 'users', Protocol: 'http' }, auth)).status).toBe(200);
    const policy = (await (await consul.put('/v1/acl/policy', { Name: 'reader', Rules: 'key_prefix "team/" { policy = "read" }' }, auth)).json()) as { ID: string };
    const token = (await (await consul.put('/v1/acl/token', { SecretID: '0e3bb1c6-68a0-4b0c-9a36-1d3b8f1c2a11', Policies: [{ ID: policy.ID }] }, auth)).json()) as { AccessorID: string };
    const taken = await save();
    expect(taken.status).toBe(200);
    expect(taken.headers.get('content-type')).toBe('application/x-gzip');
    const takenAt = indexOf(taken);
    expect(takenAt).toBe(consul.server.lastIndex());
    const archive = Buffer.from(await taken.arrayBuffer());
    expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    loseEveryServer();
    expect((await consul.get('/v1/kv/team/setting', auth)).status).toBe(404);
    expect((await restore(archive)).status).toBe(200);

    const setting = await consul.get('/v1/kv/team/setting?raw', { 'X-Consul-Token': '0e3bb1c6-68a0-4b0c-9a36-1d3b8f1c2a11' });
    expect({ status: setting.status, value: await setting.text() }).toEqual({ status: 200, value: 'blue' });
    expect(consul.server.lastIndex()).toBeGreaterThan(takenAt);
    expect((await consul.get('/v1/kv/consul-mesh/m/tombstones/t1', auth)).status).toBe(200);
    expect(await (await consul.get('/v1/catalog/service/users', auth)).json()).toHaveLength(1);
    expect((await consul.get('/v1/config/service-defaults/users', auth)).status).toBe(200);
    const self = (await (await consul.get('/v1/acl/token/self', { 'X-Consul-Token': '0e3bb1c6-68a0-4b0c-9a36-1d3b8f1c2a11' })).json()) as { AccessorID: string };
    expect(self.AccessorID).toBe(token.AccessorID);
    // The servers' initial management token still works.
    expect((await consul.get('/v1/acl/token/self', auth)).status).toBe(200);
  });

  it('replaces the state: what was written after the snapshot is gone', async () => {
    const archive = Buffer.from(await (await save()).arrayBuffer());
    expect((await consul.put('/v1/kv/later', 'x', auth)).status).toBe(200);
    expect((await restore(archive)).status).toBe(200);
    expect((await consul.get('/v1/kv/later', auth)).status).toBe(404);
  });

  it('needs acl:write for both, and refuses an altered archive', async () => {
    const policy = (await (await consul.put('/v1/acl/policy', { Name: 'ops', Rules: 'operator = "write"\nkey_prefix "" { policy = "write" }' }, auth)).json()) as { ID: string };
    const token = (await (await consul.put('/v1/acl/token', { Policies: [{ ID: policy.ID }] }, auth)).json()) as { SecretID: string; AccessorID: string };
    const denied = await save({ 'X-Consul-Token': token.SecretID });
    expect({ status: denied.status, text: await denied.text() }).toEqual({ status: 403, text: `Permission denied: token with AccessorID '${token.AccessorID}' lacks permission 'acl:write'` });
    const archive = Buffer.from(await (await save()).arrayBuffer());
    expect((await restore(archive, { 'X-Consul-Token': token.SecretID })).status).toBe(403);

    const altered = Buffer.from(archive);
    altered[altered.length - 12] ^= 0xff;
    const refused = await restore(altered);
    expect(refused.status).toBe(500);
    expect(await refused.text()).toMatch(/^failed to restore snapshot/);
  });
});
