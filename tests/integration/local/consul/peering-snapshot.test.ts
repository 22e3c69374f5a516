import { PeeringNetwork, startConsulServer, type ConsulServer } from '../../../../local/consul';
import { taskRegistration } from './helpers';

/**
 * A Raft snapshot carries the cluster peerings with their secrets, as Consul's does (its FSM persists the peering,
 * peering-secrets and trust-bundle tables): restored into the new datacenter of a side that lost every server, a
 * peering reconnects with the stream secret the other side still holds. A snapshot older than the establishment
 * brings back a PENDING peering that the dialer's stream secret does not match: it stays FAILING.
 */

const ROOT = { 'X-Consul-Token': 'root-secret' };

interface Dc {
  server: ConsulServer;
  /** The running server's address: a new one (the old one gone) is a new, empty datacenter. */
  servers: string[];
  call(method: string, path: string, body?: unknown): Promise<Response>;
}

async function startDc(datacenter: string, network: PeeringNetwork, serverIp: string): Promise<Dc> {
  const dc: Partial<Dc> = { servers: [serverIp] };
  const server = await startConsulServer({
    port: 0,
    datacenter,
    peeringNetwork: network,
    acl: { enabled: true, managementToken: 'root-secret' },
    quorumSource: () => ({ expected: 1, serverAddresses: dc.servers ?? [] }),
  });
  dc.server = server;
  dc.call = (method, path, body) => fetch(`${server.url}${path}`, { method, headers: ROOT, body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) });
  return dc as Dc;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Consul emulator: peerings in a snapshot', () => {
  let network: PeeringNetwork;
  let east: Dc;
  let west: Dc;

  beforeEach(async () => {
    network = new PeeringNetwork(10);
    east = await startDc('us-east-1', network, '10.0.0.10');
    west = await startDc('eu-west-1', network, '10.1.0.10');
  });
  afterEach(async () => {
    await Promise.all([east.server.close(), west.server.close()]);
  });

  const peering = async (dc: Dc, name: string) => {
    const response = await dc.call('GET', `/v1/peering/${name}`);
    return response.status === 404 ? undefined : ((await response.json()) as { ID: string; State: string; StreamStatus: { ImportedServices: string[] | null } });
  };
  const stateOf = (dc: Dc, name: string) => async () => (await peering(dc, name))?.State ?? 'GONE';
  const snapshot = async (dc: Dc) => Buffer.from(await (await dc.call('GET', '/v1/snapshot')).arrayBuffer());
  const loseEveryServer = (dc: Dc) => {
    dc.servers = [];
    dc.server.observeServers();
    dc.servers = ['10.0.0.77'];
    dc.server.observeServers();
  };
  async function generate(): Promise<string> {
    return ((await (await east.call('POST', '/v1/peering/token', { PeerName: 'west' })).json()) as { PeeringToken: string }).PeeringToken;
  }
  async function establish(token: string): Promise<void> {
    expect((await west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken: token })).status).toBe(200);
  }

  it('restores the acceptor\'s peering with its secrets: the dialer reconnects with no new token, imports intact', async () => {
    await east.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't1'));
    await east.call('PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'todos', Consumers: [{ Peer: 'west' }] }] });
    await establish(await generate());
    await until(stateOf(west, 'east'), (s) => s === 'ACTIVE', 'dialer ACTIVE');
    const before = await peering(east, 'west');
    const archive = await snapshot(east);

    loseEveryServer(east);
    expect(await stateOf(east, 'west')()).toBe('GONE');
    await until(stateOf(west, 'east'), (s) => s === 'FAILING', 'dialer FAILING');

    expect((await east.call('PUT', '/v1/snapshot', archive)).status).toBe(200);
    expect((await peering(east, 'west'))?.ID).toBe(before?.ID);
    await until(stateOf(east, 'west'), (s) => s === 'ACTIVE', 'acceptor ACTIVE');
    await until(stateOf(west, 'east'), (s) => s === 'ACTIVE', 'dialer ACTIVE again');
    expect((await peering(west, 'east'))?.StreamStatus.ImportedServices).toEqual(['todos']);
  });

  it('restores a PENDING peering from a snapshot older than the establishment: the dialer\'s stream does not match, FAILING', async () => {
    const token = await generate();
    const archive = await snapshot(east);
    await establish(token);
    await until(stateOf(west, 'east'), (s) => s === 'ACTIVE', 'dialer ACTIVE');

    loseEveryServer(east);
    expect((await east.call('PUT', '/v1/snapshot', archive)).status).toBe(200);
    expect(await stateOf(east, 'west')()).toBe('PENDING');
    await until(stateOf(west, 'east'), (s) => s === 'FAILING', 'dialer FAILING');
    // A new token for the same peering (its ID kept) lets the dialer establish again.
    await establish(await generate());
    await until(stateOf(east, 'west'), (s) => s === 'ACTIVE', 'acceptor ACTIVE');
    await until(stateOf(west, 'east'), (s) => s === 'ACTIVE', 'dialer ACTIVE again');
  });
});
