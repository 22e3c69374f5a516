import { randomBytes } from 'node:crypto';
import { startHarness, type ConsulHarness } from './helpers';

const key = (): string => randomBytes(32).toString('base64');
const ROOT = { 'X-Consul-Token': 'root-secret' };

describe('Consul emulator: the gossip keyring (/v1/operator/keyring) and token deletion', () => {
  let consul: ConsulHarness;
  let running: string[];
  const oldKey = key();

  const keyring = (method: string, body?: unknown, headers: Record<string, string> = ROOT) =>
    fetch(`${consul.server.url}/v1/operator/keyring`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const lan = async () => ((await (await keyring('GET')).json()) as Array<{ WAN: boolean; Keys: Record<string, number>; PrimaryKeys: Record<string, number>; NumNodes: number }>).find((r) => !r.WAN)!;

  beforeEach(async () => {
    running = ['10.0.0.1:8300', '10.0.0.2:8300', '10.0.0.3:8300'];
    consul = await startHarness({ acl: { enabled: true, managementToken: 'root-secret' }, quorumSource: () => ({ expected: 3, serverAddresses: running }) });
    for (const member of running) consul.server.keyring.join(member, oldKey);
  });

  afterEach(async () => {
    await consul.close();
  });

  it('installs, uses and removes a key on every server, in that order only', async () => {
    const newKey = key();

    expect((await keyring('PUT', { Key: newKey })).status).toBe(500);
    expect(await (await keyring('PUT', { Key: newKey })).text()).toContain('Requested key is not in the keyring');
    expect((await keyring('POST', { Key: newKey })).status).toBe(200);
    expect((await lan()).Keys).toEqual({ [oldKey]: 3, [newKey]: 3 });
    expect((await keyring('DELETE', { Key: newKey })).status).toBe(200);
    expect((await keyring('POST', { Key: newKey })).status).toBe(200);
    expect((await keyring('PUT', { Key: newKey })).status).toBe(200);
    const removePrimary = await keyring('DELETE', { Key: newKey });
    expect(removePrimary.status).toBe(500);
    expect(await removePrimary.text()).toContain('Removing the primary key is not allowed');
    expect((await keyring('DELETE', { Key: oldKey })).status).toBe(200);

    expect(await lan()).toMatchObject({ Keys: { [newKey]: 3 }, PrimaryKeys: { [newKey]: 3 }, NumNodes: 3 });
  });

  it('shows a server that joined with a key the others lack as a second primary (a split pool)', async () => {
    running = [...running.slice(1), '10.0.0.4:8300'];
    consul.server.keyring.join('10.0.0.4:8300', key());

    const ring = await lan();

    expect(ring.NumNodes).toBe(3);
    expect(Object.keys(ring.PrimaryKeys)).toHaveLength(2);
  });

  it('refuses an invalid key and needs keyring:write (not the read a catalog token has)', async () => {
    consul.server.addToken('reader-secret', 'read');

    expect(await (await keyring('POST', { Key: 'not-a-key' })).text()).toContain('Invalid key');
    expect((await keyring('GET', undefined, { 'X-Consul-Token': 'reader-secret' })).status).toBe(403);
    expect((await keyring('POST', { Key: key() }, { 'X-Consul-Token': 'reader-secret' })).status).toBe(403);
  });

  it('deletes a token, after which its SecretID is "ACL not found"; deleting again is fine', async () => {
    const created = await consul.put('/v1/acl/token', { SecretID: '6c2f5a8e-1b5d-4f7e-9a34-0d7e2b1c9f00', Description: 'x', Policies: [] }, ROOT);
    const { AccessorID } = (await created.json()) as { AccessorID: string };

    const deleted = await consul.del(`/v1/acl/token/${AccessorID}`, ROOT);
    const again = await consul.del(`/v1/acl/token/${AccessorID}`, ROOT);
    const used = await consul.get('/v1/kv/x', { 'X-Consul-Token': '6c2f5a8e-1b5d-4f7e-9a34-0d7e2b1c9f00' });

    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toBe(true);
    expect(again.status).toBe(200);
    expect(used.status).toBe(403);
    expect(await used.text()).toBe('ACL not found');
  });
});
