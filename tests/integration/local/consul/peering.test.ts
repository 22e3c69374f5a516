import { PeeringNetwork, startConsulServer, type ConsulServer } from '../../../../local/consul';
import { taskRegistration } from './helpers';

/**
 * Cluster peering between two emulated datacenters (Consul 1.14+ `/v1/peering`): the acceptor generates a token,
 * the dialer establishes with it, both go ACTIVE while they reach each other, exported services and their health
 * are imported on the other side (`?peer=`), an interrupted stream is FAILING, and a deletion terminates the peer.
 */

const ROOT = { 'X-Consul-Token': 'root-secret' };

interface Dc {
  server: ConsulServer;
  /** Whether the (single) server is up: down, it is unreachable (its state kept), as the fault route makes it. */
  serverUp: boolean;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = Record<string, unknown>>(path: string): Promise<T>;
}

async function startDc(datacenter: string, network: PeeringNetwork, serverIp: string): Promise<Dc> {
  const dc: Partial<Dc> = { serverUp: true };
  const server = await startConsulServer({
    port: 0,
    datacenter,
    peeringNetwork: network,
    acl: { enabled: true, managementToken: 'root-secret' },
    quorumSource: () => ({ expected: 1, serverAddresses: [serverIp] }),
    // A server that is down (unreachable, not lost: its data directory stays) neither dials nor answers. Losing every
    // server would lose the datacenter, peerings included (leadership.ts; tests/integration/local/peering).
    faults: { consulDown: () => !dc.serverUp },
  });
  dc.server = server;
  dc.call = (method, path, body, headers = ROOT) =>
    fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  dc.json = async (path) => {
    const res = await fetch(`${server.url}${path}`, { headers: ROOT });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return dc as Dc;
}

/** Polls `read` until `done` accepts it (the streams run every 10 ms here). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const state = (dc: Dc, name: string) => async () => {
  const res = await dc.call('GET', `/v1/peering/${name}`);
  return res.status === 404 ? 'GONE' : ((await res.json()) as { State: string }).State;
};

async function peer(east: Dc, west: Dc): Promise<string> {
  const generated = await east.call('POST', '/v1/peering/token', { PeerName: 'west', Meta: { env: 'test' } });
  expect(generated.status).toBe(200);
  const { PeeringToken } = (await generated.json()) as { PeeringToken: string };
  const established = await west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken });
  expect([established.status, await established.text()]).toEqual([200, '{}']);
  return PeeringToken;
}

function exportTo(dc: Dc, peerName: string, ...services: string[]) {
  return dc.call('PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: services.map((Name) => ({ Name, Consumers: [{ Peer: peerName }] })) });
}

function meshGateway(status: 'passing' | 'critical', wanIp: string) {
  return {
    Node: 'gateway-cluster',
    Address: '10.0.9.1',
    Service: { Kind: 'mesh-gateway', ID: 'mesh-gateway-1', Service: 'mesh-gateway', Address: '10.0.9.10', Port: 8443, TaggedAddresses: { lan: { Address: '10.0.9.10', Port: 8443 }, wan: { Address: wanIp, Port: 8443 } } },
    Check: { CheckID: 'mesh-gateway-1-health', Name: 'gateway health', Status: status, ServiceID: 'mesh-gateway-1' },
  };
}

/** Two datacenters whose streams run only when the test calls `sync()`, for states that last one round. */
async function withStepped(run: (network: PeeringNetwork, a: Dc, b: Dc) => Promise<void>): Promise<void> {
  const stepped = new PeeringNetwork(3_600_000);
  const a = await startDc('us-east-1', stepped, '10.0.0.10');
  const b = await startDc('eu-west-1', stepped, '10.1.0.10');
  try {
    await run(stepped, a, b);
  } finally {
    await Promise.all([a.server.close(), b.server.close()]);
  }
}

describe('Consul emulator: cluster peering between two datacenters', () => {
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

  it('generates a base64 JSON token on the acceptor, establishes on the dialer, and both sides become ACTIVE', async () => {
    const token = await peer(east, west);

    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const acceptor = await east.json<Record<string, unknown>>('/v1/peering/west');
    expect(decoded).toEqual({
      CA: [],
      ServerAddresses: ['10.0.0.10:8503'],
      ServerName: expect.stringMatching(/^server\.us-east-1\.peering\.[0-9a-f-]{36}\.consul$/),
      PeerID: acceptor.ID,
      EstablishmentSecret: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Remote: { Partition: 'default', Datacenter: 'us-east-1' },
    });
    expect(await until(state(east, 'west'), (s) => s === 'ACTIVE', 'acceptor')).toBe('ACTIVE');
    expect(await until(state(west, 'east'), (s) => s === 'ACTIVE', 'dialer')).toBe('ACTIVE');

    const dialer = await west.json<Record<string, unknown>>('/v1/peering/east');
    expect(dialer).toMatchObject({ Name: 'east', State: 'ACTIVE', PeerID: acceptor.ID, PeerServerName: decoded.ServerName, PeerServerAddresses: ['10.0.0.10:8503'], Remote: { Partition: 'default', Datacenter: 'us-east-1' } });
    expect(await east.json('/v1/peering/west')).toMatchObject({ Name: 'west', State: 'ACTIVE', Meta: { env: 'test' }, Remote: { Datacenter: 'eu-west-1' } });
    expect((await east.json<Array<{ Name: string }>>('/v1/peerings')).map((p) => p.Name)).toEqual(['west']);
  });

  it('keeps a dialer ESTABLISHING and the acceptor PENDING until the stream first connects', async () => {
    await withStepped(async (stepped, a, b) => {
      const generated = await a.call('POST', '/v1/peering/token', { PeerName: 'west' });
      const { PeeringToken } = (await generated.json()) as { PeeringToken: string };
      expect(await state(a, 'west')()).toBe('PENDING');
      await b.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken });
      expect([await state(a, 'west')(), await state(b, 'east')()]).toEqual(['PENDING', 'ESTABLISHING']);
      // The acceptor loses its leader before the stream starts: nothing connects, nothing is FAILING yet.
      a.serverUp = false;
      stepped.sync();
      expect(await state(b, 'east')()).toBe('ESTABLISHING');
      a.serverUp = true;
      stepped.sync();
      expect([await state(a, 'west')(), await state(b, 'east')()]).toEqual(['ACTIVE', 'ACTIVE']);
    });
  });

  it("imports the services the peer exports, with their health flattened into one check, and follows their changes", async () => {
    await peer(east, west);
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't1', 'passing', 'cluster-2'));
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't2', 'critical', 'cluster-2'));
    await west.call('PUT', '/v1/catalog/register', taskRegistration('notifications', 'n1', 'passing', 'cluster-2'));
    expect((await exportTo(west, 'east', 'todos')).status).toBe(200);

    type Entry = { Node: { Node: string; Datacenter: string; PeerName: string }; Service: { ID: string; PeerName: string }; Checks: Array<{ CheckID: string; Name: string; Status: string; PeerName: string }> };
    const health = await until(() => east.json<Entry[]>('/v1/health/service/todos?peer=west'), (e) => e.length === 2, 'imported todos');
    expect(health.map((e) => [e.Service.ID, e.Service.PeerName, e.Node.PeerName, e.Node.Datacenter, e.Checks.map((c) => [c.CheckID, c.Name, c.Status, c.PeerName])])).toEqual([
      ['todos-t1', 'west', 'west', 'eu-west-1', [['todos-t1:overall-check', 'overall-check', 'passing', 'west']]],
      ['todos-t2', 'west', 'west', 'eu-west-1', [['todos-t2:overall-check', 'overall-check', 'critical', 'west']]],
    ]);
    expect((await east.json<Entry[]>('/v1/health/service/todos?peer=west&passing')).map((e) => e.Service.ID)).toEqual(['todos-t1']);
    expect((await east.json<Array<{ ServiceID: string; PeerName: string }>>('/v1/catalog/service/todos?peer=west')).map((s) => [s.ServiceID, s.PeerName])).toEqual([
      ['todos-t1', 'west'],
      ['todos-t2', 'west'],
    ]);
    // Not exported, not imported; imported services never show in the local catalog.
    expect(await east.json('/v1/health/service/notifications?peer=west')).toEqual([]);
    expect(await east.json('/v1/health/service/todos')).toEqual([]);
    expect(await east.json('/v1/health/service/todos?peer=nobody')).toEqual([]);
    expect((await east.json<{ StreamStatus: unknown }>('/v1/peering/west')).StreamStatus).toMatchObject({ ImportedServices: ['todos'], ExportedServices: null });
    expect((await west.json<{ StreamStatus: unknown }>('/v1/peering/east')).StreamStatus).toMatchObject({ ImportedServices: null, ExportedServices: ['todos'] });

    // Health changes and deregistrations on the exporting side reach the importing side.
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't2', 'passing', 'cluster-2'));
    await until(() => east.json<Entry[]>('/v1/health/service/todos?peer=west&passing'), (e) => e.length === 2, 'todos-t2 passing');
    await west.call('PUT', '/v1/catalog/deregister', { Node: 'cluster-2', ServiceID: 'todos-t1' });
    const after = await until(() => east.json<Entry[]>('/v1/health/service/todos?peer=west'), (e) => e.length === 1, 'todos-t1 gone');
    expect(after[0].Service.ID).toBe('todos-t2');
  });

  it('wakes a blocking query on imported health when the replication changes it', async () => {
    await peer(east, west);
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't1', 'passing', 'cluster-2'));
    await exportTo(west, 'east', '*');
    await until(() => east.json<unknown[]>('/v1/health/service/todos?peer=west'), (e) => e.length === 1, 'imported');
    const first = await east.call('GET', '/v1/health/service/todos?peer=west');
    const index = Number(first.headers.get('x-consul-index'));
    const held = east.call('GET', `/v1/health/service/todos?peer=west&index=${index}&wait=5s`);
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't2', 'passing', 'cluster-2'));
    const woken = await held;
    expect(Number(woken.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(((await woken.json()) as unknown[]).length).toBe(2);
  });

  it("goes FAILING while the other side's servers are down, keeps what it imported, and is ACTIVE again after", async () => {
    await peer(east, west);
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't1', 'passing', 'cluster-2'));
    await exportTo(west, 'east', 'todos');
    await until(() => east.json<unknown[]>('/v1/health/service/todos?peer=west'), (e) => e.length === 1, 'imported');

    west.serverUp = false;
    expect(await until(state(east, 'west'), (s) => s === 'FAILING', 'east while west has no leader')).toBe('FAILING');
    expect(await east.json<unknown[]>('/v1/health/service/todos?peer=west')).toHaveLength(1);

    west.serverUp = true;
    expect(await until(state(east, 'west'), (s) => s === 'ACTIVE', 'east after west recovered')).toBe('ACTIVE');
    expect(await state(west, 'east')()).toBe('ACTIVE');
  });

  it("peers through mesh gateways: the token names the acceptor's gateways, and a gateway down makes the peering FAILING", async () => {
    for (const dc of [east, west]) {
      expect((await dc.call('PUT', '/v1/config', { Kind: 'mesh', Peering: { PeerThroughMeshGateways: true } })).status).toBe(200);
    }
    const refused = await east.call('POST', '/v1/peering/token', { PeerName: 'west' });
    expect([refused.status, await refused.text()]).toEqual([500, 'configured to peer through mesh gateways but no mesh gateways are registered']);
    await east.call('PUT', '/v1/catalog/register', meshGateway('passing', '203.0.113.10'));
    await west.call('PUT', '/v1/catalog/register', meshGateway('critical', '198.51.100.20'));

    const generated = await east.call('POST', '/v1/peering/token', { PeerName: 'west' });
    const { PeeringToken } = (await generated.json()) as { PeeringToken: string };
    expect(JSON.parse(Buffer.from(PeeringToken, 'base64').toString()).ServerAddresses).toEqual(['203.0.113.10:8443']);
    // The dialer's own gateway is not passing: its servers cannot reach out to exchange the secret.
    const unreachable = await west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken });
    expect([unreachable.status, await unreachable.text()]).toEqual([
      500,
      '1 error occurred:\n\t* failed to exchange peering secret with "203.0.113.10:8443": rpc error: code = Unavailable desc = failed to dial peer: context deadline exceeded\n\n',
    ]);

    await west.call('PUT', '/v1/catalog/register', meshGateway('passing', '198.51.100.20'));
    expect((await west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken })).status).toBe(200);
    await until(state(west, 'east'), (s) => s === 'ACTIVE', 'dialer');

    await east.call('PUT', '/v1/catalog/register', meshGateway('critical', '203.0.113.10'));
    await until(state(west, 'east'), (s) => s === 'FAILING', "dialer while the acceptor's gateway fails");
    expect(await state(east, 'west')()).toBe('FAILING');
    await east.call('PUT', '/v1/catalog/register', meshGateway('passing', '203.0.113.10'));
    await until(state(west, 'east'), (s) => s === 'ACTIVE', 'dialer after the gateway recovered');
    expect(await state(east, 'west')()).toBe('ACTIVE');
  });

  it("sends an ACTIVE dialer the acceptor's new gateway addresses when they move, as Consul's stream does; a new token names them", async () => {
    for (const dc of [east, west]) await dc.call('PUT', '/v1/config', { Kind: 'mesh', Peering: { PeerThroughMeshGateways: true } });
    await east.call('PUT', '/v1/catalog/register', meshGateway('passing', '203.0.113.10'));
    await west.call('PUT', '/v1/catalog/register', meshGateway('passing', '198.51.100.20'));
    await peer(east, west);
    const addresses = async () => ((await west.json<{ PeerServerAddresses?: string[] }>('/v1/peering/east')).PeerServerAddresses ?? []).join(',');
    await until(state(west, 'east'), (s) => s === 'ACTIVE', 'dialer');
    expect(await addresses()).toBe('203.0.113.10:8443');

    // The acceptor's gateway now behind a load balancer: the stream tells the dialer, which stays ACTIVE.
    await east.call('PUT', '/v1/catalog/register', meshGateway('passing', 'nlb-1.elb.us-east-1.amazonaws.com'));
    await until(addresses, (a) => a === 'nlb-1.elb.us-east-1.amazonaws.com:8443', "the dialer's server addresses");
    expect(await state(west, 'east')()).toBe('ACTIVE');
    expect(await state(east, 'west')()).toBe('ACTIVE');
    // A token generated now for the live peering names the new address and keeps the stream going.
    const again = (await (await east.call('POST', '/v1/peering/token', { PeerName: 'west' })).json()) as { PeeringToken: string };
    expect(JSON.parse(Buffer.from(again.PeeringToken, 'base64').toString()).ServerAddresses).toEqual(['nlb-1.elb.us-east-1.amazonaws.com:8443']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await state(west, 'east')()).toBe('ACTIVE');
  });

  it("resolves a peer's service for a dataplane through the exporting side's mesh gateways (/v1/health/connect?peer=)", async () => {
    await peer(east, west);
    await west.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't1', 'passing', 'cluster-2'));
    await west.call('PUT', '/v1/catalog/register', {
      Node: 'cluster-2',
      Address: '10.0.1.1',
      Service: { Kind: 'connect-proxy', ID: 'todos-t1-sidecar-proxy', Service: 'todos-sidecar-proxy', Address: '10.0.1.17', Port: 20000, Proxy: { DestinationServiceName: 'todos', DestinationServiceID: 'todos-t1' } },
    });
    await west.call('PUT', '/v1/config', { Kind: 'service-defaults', Name: 'todos', Protocol: 'http' });
    await west.call('PUT', '/v1/catalog/register', meshGateway('passing', '198.51.100.20'));
    await exportTo(west, 'east', 'todos');

    // Locally, the connect endpoints of a service are its sidecar proxies.
    const local = (await west.json<Array<{ Service: { ID: string } }>>('/v1/health/connect/todos')).map((e) => e.Service.ID);
    expect(local).toEqual(['todos-t1-sidecar-proxy']);

    type Entry = { Service: Record<string, unknown> & { Connect: { PeerMeta: { SNI: string[]; SpiffeID: string[]; Protocol: string } } }; Checks: Array<{ CheckID: string; Status: string }> };
    const [gateway] = await until(() => east.json<Entry[]>('/v1/health/connect/todos?peer=west'), (e) => e.length === 1, 'imported connect endpoint');
    expect(gateway.Service).toMatchObject({
      Kind: 'connect-proxy',
      ID: 'todos-sidecar-proxy-instance-0',
      Service: 'todos-sidecar-proxy',
      Address: '10.0.9.10',
      Port: 8443,
      TaggedAddresses: { wan: { Address: '198.51.100.20', Port: 8443 } },
      Proxy: { DestinationServiceName: 'todos', DestinationServiceID: 'todos-instance-0' },
      PeerName: 'west',
    });
    expect(gateway.Service.Connect.PeerMeta).toEqual({
      SNI: [expect.stringMatching(/^todos\.default\.default\.east\.external\.[0-9a-f-]{36}\.consul$/)],
      SpiffeID: [expect.stringMatching(/^spiffe:\/\/[0-9a-f-]{36}\.consul\/ns\/default\/dc\/eu-west-1\/svc\/todos$/), expect.stringMatching(/\/gateway\/mesh\/dc\/eu-west-1$/)],
      Protocol: 'http',
    });
    expect(gateway.Checks.map((c) => [c.CheckID, c.Status])).toEqual([['todos-sidecar-proxy-instance-0:overall-check', 'passing']]);

    // The gateway failing shows in the imported endpoint's health.
    await west.call('PUT', '/v1/catalog/register', meshGateway('critical', '198.51.100.20'));
    await until(() => east.json<Entry[]>('/v1/health/connect/todos?peer=west&passing'), (e) => e.length === 0, 'gateway critical');
  });

  it('deletes a peering: DELETING then gone with its imports on one side, TERMINATED on the other', async () => {
    await withStepped(async (stepped, a, b) => {
      await peer(a, b);
      await b.call('PUT', '/v1/catalog/register', taskRegistration('todos', 't1', 'passing', 'cluster-2'));
      await exportTo(b, 'east', 'todos');
      stepped.sync();
      expect(await a.json('/v1/health/service/todos?peer=west')).toHaveLength(1);

      const deleted = await a.call('DELETE', '/v1/peering/west');
      expect([deleted.status, await deleted.text()]).toEqual([200, '']);
      const deleting = await a.json<{ State: string; DeletedAt: string }>('/v1/peering/west');
      expect(deleting.State).toBe('DELETING');
      expect(Number.isNaN(Date.parse(deleting.DeletedAt))).toBe(false);
      // Deleting again, or deleting what does not exist, is not an error.
      expect((await a.call('DELETE', '/v1/peering/west')).status).toBe(200);
      expect((await a.call('DELETE', '/v1/peering/nobody')).status).toBe(200);

      stepped.sync();
      expect(await state(a, 'west')()).toBe('GONE');
      expect(await a.json('/v1/health/service/todos?peer=west')).toEqual([]);
      expect(await a.json('/v1/peerings')).toEqual([]);
      const missing = await a.call('GET', '/v1/peering/west');
      expect([missing.status, await missing.text()]).toEqual([404, 'Peering not found for "west"']);
      expect(await state(b, 'east')()).toBe('TERMINATED');
      // A terminated peering stays until it is deleted on its own side too.
      stepped.sync();
      expect(await state(b, 'east')()).toBe('TERMINATED');
      await b.call('DELETE', '/v1/peering/east');
      stepped.sync();
      expect(await state(b, 'east')()).toBe('GONE');
    });
  });

  it('deleted while the stream is down: the other side is not told and stays FAILING', async () => {
    await withStepped(async (stepped, a, b) => {
      await peer(a, b);
      stepped.sync();
      b.serverUp = false;
      stepped.sync();
      await a.call('DELETE', '/v1/peering/west');
      stepped.sync();
      b.serverUp = true;
      stepped.sync();
      expect([await state(a, 'west')(), await state(b, 'east')()]).toEqual(['GONE', 'FAILING']);
    });
  });

  it("answers Consul's errors for bad requests and tokens", async () => {
    const text = async (res: Promise<Response>) => {
      const r = await res;
      return [r.status, await r.text()];
    };
    expect(await text(east.call('POST', '/v1/peering/token', {}))).toEqual([400, 'PeerName is required in the payload when generating a new peering token.']);
    expect(await text(east.call('POST', '/v1/peering/token', ''))).toEqual([400, 'The peering arguments must be provided in the body']);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'east' }))).toEqual([400, 'PeeringToken is required in the payload when establishing a peering.']);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeeringToken: 'x' }))).toEqual([400, 'PeerName is required in the payload when establishing a peering.']);
    expect(await text(east.call('POST', '/v1/peering/token', { PeerName: '--AA--' }))).toEqual([
      500,
      "--AA-- is not a valid peer name: a valid DNS label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    ]);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken: '+++/+++' }))).toEqual([500, 'illegal base64 data at input byte 4']);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken: 'Cg==' }))).toEqual([500, 'unexpected end of JSON input']);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken: Buffer.from('hello').toString('base64') }))).toEqual([
      500,
      "invalid character 'h' looking for beginning of value",
    ]);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken: 'e30K' }))).toEqual([500, 'peering token server addresses value is empty']);
    expect(await text(east.call('GET', '/v1/peering/nobody'))).toEqual([404, 'Peering not found for "nobody"']);

    // Peering a cluster with itself.
    const own = (await (await east.call('POST', '/v1/peering/token', { PeerName: 'west' })).json()) as { PeeringToken: string };
    expect(await text(east.call('POST', '/v1/peering/establish', { PeerName: 'self', PeeringToken: own.PeeringToken }))).toEqual([500, 'cannot create a peering within the same partition (ENT) or cluster (OSS)']);

    // A token establishes once; a name is either an acceptor or a dialer.
    const token = await peer(east, west);
    const again = await text(west.call('POST', '/v1/peering/establish', { PeerName: 'east2', PeeringToken: token }));
    expect(again).toEqual([500, '1 error occurred:\n\t* failed to exchange peering secret with "10.0.0.10:8503": rpc error: code = PermissionDenied desc = invalid peering establishment secret\n\n']);
    expect(await text(west.call('POST', '/v1/peering/token', { PeerName: 'east' }))).toEqual([500, 'cannot create peering with name: "east"; there is already an established peering']);
    // A second token for the same name replaces one not used yet.
    const unused = (await (await east.call('POST', '/v1/peering/token', { PeerName: 'late' })).json()) as { PeeringToken: string };
    const replacing = (await (await east.call('POST', '/v1/peering/token', { PeerName: 'late', ServerExternalAddresses: ['203.0.113.7:443'] })).json()) as { PeeringToken: string };
    expect(JSON.parse(Buffer.from(replacing.PeeringToken, 'base64').toString()).ServerAddresses).toEqual(['203.0.113.7:443']);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'late', PeeringToken: unused.PeeringToken }))).toEqual([
      500,
      '1 error occurred:\n\t* failed to exchange peering secret with "10.0.0.10:8503": rpc error: code = PermissionDenied desc = invalid peering establishment secret\n\n',
    ]);
    expect(await text(west.call('POST', '/v1/peering/establish', { PeerName: 'late', PeeringToken: replacing.PeeringToken }))).toEqual([200, '{}']);
    const fresh = (await (await east.call('POST', '/v1/peering/token', { PeerName: 'other' })).json()) as { PeeringToken: string };
    expect(await text(east.call('POST', '/v1/peering/establish', { PeerName: 'west', PeeringToken: fresh.PeeringToken }))).toEqual([500, 'cannot create a peering within the same partition (ENT) or cluster (OSS)']);
  });

  it('validates exported-services entries as Consul does, and needs mesh:write to write one and mesh:read to read it', async () => {
    const apply = async (entry: Record<string, unknown>, headers?: Record<string, string>) => {
      const res = await east.call('PUT', '/v1/config', { Kind: 'exported-services', ...entry }, headers);
      return [res.status, await res.text()];
    };
    expect(await apply({ Name: 'other', Services: [] })).toEqual([500, 'exported-services Name must be "default"']);
    expect(await apply({ Name: 'default', Services: [{ Name: '', Consumers: [{ Peer: 'west' }] }] })).toEqual([500, 'Services[0]: service name cannot be empty']);
    expect(await apply({ Name: 'default', Services: [{ Name: 'todos' }] })).toEqual([500, 'Services[0]: must have at least one consumer']);
    expect(await apply({ Name: 'default', Services: [{ Name: 'todos', Consumers: [{ Peer: 'west', Partition: 'p' }] }] })).toEqual([
      500,
      'Services[0].Consumers[0]: must define at most one of Peer, Partition, or SamenessGroup',
    ]);
    expect(await apply({ Name: 'default', Services: [{ Name: 'todos', Consumers: [{ Peer: '*' }] }] })).toEqual([500, 'Services[0].Consumers[0]: exporting to all peers (wildcard) is not supported']);

    const policy = (await (await east.call('PUT', '/v1/acl/policy', { Name: 'todos-write', Rules: 'service "todos" {\n  policy = "write"\n}' })).json()) as { ID: string };
    const token = (await (await east.call('PUT', '/v1/acl/token', { Policies: [{ ID: policy.ID }] })).json()) as { AccessorID: string; SecretID: string };
    const as = { 'X-Consul-Token': token.SecretID };
    expect(await apply({ Name: 'default', Services: [{ Name: 'todos', Consumers: [{ Peer: 'west' }] }] }, as)).toEqual([
      403,
      `Permission denied: token with AccessorID '${token.AccessorID}' lacks permission 'mesh:write'`,
    ]);
    expect(await apply({ Name: 'default', Services: [{ Name: 'todos', Consumers: [{ Peer: 'west' }] }] })).toEqual([200, 'true']);
    const read = await east.call('GET', '/v1/config/exported-services/default', undefined, as);
    expect([read.status, await read.text()]).toEqual([403, `Permission denied: token with AccessorID '${token.AccessorID}' lacks permission 'mesh:read'`]);
  });

  it('checks peering:read and peering:write (operator rules grant them when no peering rule is set)', async () => {
    const policy = async (name: string, rules: string) => {
      const res = await east.call('PUT', '/v1/acl/policy', { Name: name, Rules: rules });
      return ((await res.json()) as { ID: string }).ID;
    };
    const token = async (policyId: string) => {
      const res = await east.call('PUT', '/v1/acl/token', { Policies: [{ ID: policyId }] });
      return (await res.json()) as { AccessorID: string; SecretID: string };
    };
    const reader = await token(await policy('peering-read', 'peering = "read"'));
    const operator = await token(await policy('operator-write', 'operator = "write"'));
    const as = (t: { SecretID: string }) => ({ 'X-Consul-Token': t.SecretID });

    const refused = await east.call('POST', '/v1/peering/token', { PeerName: 'west' }, as(reader));
    expect([refused.status, await refused.text()]).toEqual([403, `Permission denied: token with AccessorID '${reader.AccessorID}' lacks permission 'peering:write'`]);
    expect((await east.call('POST', '/v1/peering/token', { PeerName: 'west' }, as(operator))).status).toBe(200);
    expect((await east.call('GET', '/v1/peering/west', undefined, as(reader))).status).toBe(200);
    expect((await east.call('GET', '/v1/peerings', undefined, as(reader))).status).toBe(200);
    const anonymous = await east.call('GET', '/v1/peerings', undefined, {});
    expect([anonymous.status, await anonymous.text()]).toEqual([403, "Permission denied: anonymous token lacks permission 'peering:read'"]);
    const deleteRefused = await east.call('DELETE', '/v1/peering/west', undefined, as(reader));
    expect(deleteRefused.status).toBe(403);
  });
});
