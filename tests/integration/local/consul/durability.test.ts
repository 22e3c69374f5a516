import { indexOf, startHarness, taskRegistration, type ConsulHarness } from './helpers';

/**
 * A datacenter's state lives in its servers' data directories: it survives a roll that keeps a quorum of servers
 * holding it, and is lost when fewer remain; the next quorum bootstraps an empty datacenter that still knows the
 * management token of the servers' configuration.
 */
describe('Consul emulator: the state belongs to the server tasks', () => {
  let consul: ConsulHarness;
  let running: string[];
  const management = '5d2f1f3c-57e3-4a4b-9a51-6f3c2ad7d0a1';
  const auth = { 'X-Consul-Token': management };

  beforeEach(async () => {
    running = [];
    consul = await startHarness({ acl: { enabled: true }, quorumSource: () => ({ expected: 3, serverAddresses: running }) });
    consul.server.addToken(management, 'management');
    running = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    expect((await consul.put('/v1/kv/consul-mesh/m/spec', 'v1', auth)).status).toBe(200);
    expect((await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'), auth)).status).toBe(200);
    expect((await consul.put('/v1/acl/policy', { Name: 'p', Rules: 'key_prefix "" { policy = "read" }' }, auth)).status).toBe(200);
  });
  afterEach(async () => {
    await consul.close();
  });

  const key = (path = '/v1/kv/consul-mesh/m/spec') => consul.get(path, auth);

  it('keeps everything through a roll that replaces the servers one at a time', async () => {
    for (const [old, replacement] of [['10.0.0.1', '10.0.0.4'], ['10.0.0.2', '10.0.0.5'], ['10.0.0.3', '10.0.0.6']]) {
      running = [...running, replacement];
      consul.server.observeServers();
      running = running.filter((a) => a !== old);
      consul.server.observeServers();
    }

    expect((await key()).status).toBe(200);
    expect(await (await consul.get('/v1/catalog/service/users', auth)).json()).toHaveLength(1);
    expect((await consul.get('/v1/acl/policy/name/p', auth)).status).toBe(200);
    expect(consul.server.datacentersLost()).toBe(0);
  });

  it('starts empty, with a fresh index and the configured management token, once every server stopped', async () => {
    const before = indexOf(await key());
    running = [];
    consul.server.observeServers();
    expect((await key()).status).toBe(500);

    running = ['10.0.0.7', '10.0.0.8', '10.0.0.9'];
    const after = await key();

    expect(after.status).toBe(404);
    expect(indexOf(after)).toBeLessThan(before);
    expect(await (await consul.get('/v1/catalog/services', auth)).json()).toEqual({});
    expect((await consul.get('/v1/acl/policy/name/p', auth)).status).toBe(404);
    expect((await consul.get('/v1/acl/token/self', auth)).status).toBe(200);
    expect(consul.server.datacentersLost()).toBe(1);
  });

  it('loses the state when a roll leaves fewer servers holding it than a quorum', async () => {
    // Two of three stop before their replacements joined: one holder is left, under the quorum of two.
    running = ['10.0.0.3'];
    consul.server.observeServers();
    running = ['10.0.0.3', '10.0.0.4', '10.0.0.5'];

    expect((await key()).status).toBe(404);
    expect(consul.server.datacentersLost()).toBe(1);
  });

  it('keeps the state when the servers were replaced between two requests but a quorum held it throughout', async () => {
    running = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'];
    consul.server.observeServers();
    running = ['10.0.0.4', '10.0.0.5', '10.0.0.6'];

    expect((await key()).status).toBe(200);
  });
});
