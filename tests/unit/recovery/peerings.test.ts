import { loadMeshSpec } from '../../../layers/domain/spec';
import { peeringTokenParameter, type Peering, type PeeringApi } from '../../../layers/deploy/peering';
import { recoverPeerings, recoverPeeringsAfter, rekeyParameter, tokenRequestParameter, type PeeringRecoveryDeps } from '../../../layers/recovery/peerings';
import { snapshotKey, snapshotTakenAt } from '../../../layers/recovery/snapshots';

/**
 * The rules of the peering recovery (layers/recovery/peerings.ts) on in-memory fakes of the peering API and of SSM in
 * two regions: what each side does from what it sees, and that it writes nothing when it must not.
 */

const spec = (role: 'acceptor' | 'dialer') =>
  loadMeshSpec(`name: ${role === 'acceptor' ? 'east-mesh' : 'west-mesh'}
region: ${role === 'acceptor' ? 'us-east-1' : 'eu-west-1'}
consul: { servers: { count: 1 }, dataplane: { image: "hashicorp/consul-dataplane:1.6.0" } }
clusters:
  - name: shop
    services:
      - { name: cart, image: "cart:1.0.0", port: 8080 }
meshGateway: {}
peers:
  - ${role === 'acceptor' ? '{ name: west, mesh: west-mesh, region: eu-west-1, role: acceptor }' : '{ name: east, mesh: east-mesh, region: us-east-1, role: dialer }'}
`);
const ACCEPTOR = spec('acceptor');
const DIALER = spec('dialer');
const TOKEN = peeringTokenParameter('east-mesh', 'west-mesh');
const REQUEST = tokenRequestParameter('west-mesh', 'east-mesh');
const tokenNaming = (peerId: string) => Buffer.from(JSON.stringify({ PeerID: peerId, EstablishmentSecret: 'x' })).toString('base64');

interface Stored {
  Value: string;
  Version: number;
  LastModifiedDate: Date;
}

class FakeSsm {
  readonly params = new Map<string, Stored>();
  readonly writes: string[] = [];
  readonly reads: string[] = [];
  async getParameter(name: string) {
    this.reads.push(name);
    const found = this.params.get(name);
    if (!found) throw Object.assign(new Error(`${name} not found`), { name: 'ParameterNotFound' });
    return { Name: name, ...found };
  }
  async putParameter(input: { Name?: string; Value?: string; Overwrite?: boolean }) {
    const existing = this.params.get(input.Name!);
    if (existing && !input.Overwrite) throw Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists' });
    this.writes.push(input.Name!);
    const Version = (existing?.Version ?? 0) + 1;
    this.params.set(input.Name!, { Value: input.Value!, Version, LastModifiedDate: new Date() });
    return { Version, Tier: 'Standard' as const };
  }
  async deleteParameter(name: string) {
    this.params.delete(name);
  }
  set(name: string, Value: string, Version = 1) {
    this.params.set(name, { Value, Version, LastModifiedDate: new Date() });
  }
}

class FakePeering implements PeeringApi {
  readonly peerings = new Map<string, Peering>();
  readonly calls: string[] = [];
  establishError?: Error;
  generateError?: Error;
  async read(name: string) {
    return this.peerings.get(name);
  }
  async list() {
    return [...this.peerings.values()];
  }
  async generateToken(peerName: string, meta?: Record<string, string>) {
    this.calls.push(`generate ${peerName}`);
    if (this.generateError) throw this.generateError;
    const id = this.peerings.get(peerName)?.ID ?? `id-${this.calls.length}`;
    this.peerings.set(peerName, { Name: peerName, ID: id, State: this.peerings.get(peerName)?.State ?? 'PENDING', Meta: meta });
    return tokenNaming(id);
  }
  async establish(peerName: string, _token: string, meta?: Record<string, string>) {
    this.calls.push(`establish ${peerName} ${JSON.stringify(meta)}`);
    if (this.establishError) throw this.establishError;
    this.peerings.set(peerName, { Name: peerName, State: 'ESTABLISHING', Meta: meta });
  }
  async delete(name: string) {
    this.calls.push(`delete ${name}`);
    this.peerings.delete(name);
  }
}

function sides() {
  const east = new FakeSsm();
  const west = new FakeSsm();
  const peering = new FakePeering();
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const deps = (home: FakeSsm): PeeringRecoveryDeps => ({
    peering,
    ssm: { home, inRegion: (region) => (region === 'us-east-1' ? east : west) },
    logger,
    metrics: { addMetric: () => undefined },
    sleep: async () => undefined,
  });
  return { east, west, peering, acceptor: deps(east), dialer: deps(west) };
}

describe('peering recovery rules', () => {
  it('reads each peering once and touches nothing else while every peering is ACTIVE', async () => {
    const { east, peering, acceptor } = sides();
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'ACTIVE' });
    expect(await recoverPeerings(ACCEPTOR, acceptor)).toEqual({ status: 'checked', peers: [{ name: 'west', role: 'acceptor', action: 'kept', state: 'ACTIVE' }] });
    expect({ reads: east.reads, writes: east.writes, calls: peering.calls }).toEqual({ reads: [], writes: [], calls: [] });
  });

  it('gives an acceptor whose peering is gone a new token, overwriting the stored one', async () => {
    const { east, peering, acceptor } = sides();
    east.set(TOKEN, tokenNaming('old'));
    const result = await recoverPeerings(ACCEPTOR, acceptor);
    expect(result.peers).toMatchObject([{ action: 'token-generated' }]);
    expect(east.params.get(TOKEN)?.Version).toBe(2);
    expect(peering.calls).toEqual(['generate west']);
  });

  it('leaves a FAILING acceptor alone without a request for its current Version (an older request is stale)', async () => {
    const { east, west, peering, acceptor } = sides();
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'FAILING' });
    east.set(TOKEN, tokenNaming('p1'), 3);
    west.set(REQUEST, '2');
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'FAILING' }]);
    west.set(REQUEST, '3', 2);
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'token-generated' }]);
    expect(east.params.get(TOKEN)?.Version).toBe(4);
  });

  it('re-keys a PENDING acceptor only right after a restore', async () => {
    const { east, peering, acceptor } = sides();
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'PENDING' });
    east.set(TOKEN, tokenNaming('p1'));
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept' }]);
    expect((await recoverPeerings(ACCEPTOR, acceptor, { restored: true })).peers).toMatchObject([{ action: 'token-generated' }]);
  });

  it('retries a PENDING re-key owed since a restore on later ticks until a token is stored, and never re-keys it again after', async () => {
    const { east, peering, acceptor } = sides();
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'PENDING' });
    east.set(TOKEN, tokenNaming('p1'), 2);
    // Right after the restore, no mesh gateway is registered yet: Consul cannot make the token.
    peering.generateError = Object.assign(new Error('configured to peer through mesh gateways but no mesh gateways are registered'), { name: 'ConsulError' });
    await expect(recoverPeerings(ACCEPTOR, acceptor, { restored: true })).rejects.toThrow('no mesh gateways are registered');
    expect(east.params.get(rekeyParameter('east-mesh', 'west-mesh'))?.Value).toBe('2');
    // A later tick (no longer the restoring one) still fails while the gateway is missing, then succeeds.
    await expect(recoverPeerings(ACCEPTOR, acceptor)).rejects.toThrow('no mesh gateways are registered');
    peering.generateError = undefined;
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'token-generated', reason: expect.stringContaining('re-key owed') }]);
    expect(east.params.get(TOKEN)?.Version).toBe(3);
    // Spent: the next ticks leave the PENDING peering (and its new token) alone.
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'PENDING' }]);
    expect(east.params.get(TOKEN)?.Version).toBe(3);
    expect(peering.calls.filter((c) => c.startsWith('generate'))).toHaveLength(3);
  });

  it('never re-keys an ACTIVE peering, even with a re-key owed', async () => {
    const { east, peering, acceptor } = sides();
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'ACTIVE' });
    east.set(TOKEN, tokenNaming('p1'), 2);
    east.set(rekeyParameter('east-mesh', 'west-mesh'), '2');
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'ACTIVE' }]);
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'FAILING' });
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'FAILING' }]);
    expect(peering.calls).toEqual([]);
  });

  it('leaves a FAILING or TERMINATED dialer whose acceptor token is unchanged (same peering ID and Version)', async () => {
    const { east, peering, dialer } = sides();
    east.set(TOKEN, tokenNaming('p1'), 2);
    for (const State of ['FAILING', 'TERMINATED'] as const) {
      peering.peerings.set('east', { Name: 'east', PeerID: 'p1', State, Meta: { 'consul-mesh-token-version': '2' } });
      expect((await recoverPeerings(DIALER, dialer)).peers).toMatchObject([{ action: 'kept', state: State }]);
    }
    // Without a recorded Version (established by hand), the peering ID alone decides.
    peering.peerings.set('east', { Name: 'east', PeerID: 'p1', State: 'FAILING' });
    expect((await recoverPeerings(DIALER, dialer)).peers).toMatchObject([{ action: 'kept' }]);
    expect(peering.calls).toEqual([]);
  });

  it('re-establishes a FAILING dialer when the token names another peering or a newer Version, recording it', async () => {
    const { east, peering, dialer } = sides();
    east.set(TOKEN, tokenNaming('p2'), 4);
    peering.peerings.set('east', { Name: 'east', PeerID: 'p1', State: 'FAILING', Meta: { 'consul-mesh-token-version': '4' } });
    expect((await recoverPeerings(DIALER, dialer)).peers).toMatchObject([{ action: 're-established' }]);
    peering.peerings.set('east', { Name: 'east', PeerID: 'p2', State: 'FAILING', Meta: { 'consul-mesh-token-version': '3' } });
    expect((await recoverPeerings(DIALER, dialer)).peers).toMatchObject([{ action: 're-established' }]);
    // Marked as the dialer's (peeringMark), with the Version it established with.
    const meta = JSON.stringify({ 'consul-mesh:mesh': 'west-mesh', 'consul-mesh:peer-mesh': 'east-mesh', 'consul-mesh:peer-region': 'us-east-1', 'consul-mesh:role': 'dialer', 'consul-mesh-token-version': '4' });
    expect(peering.calls).toEqual(['delete east', `establish east ${meta}`, 'delete east', `establish east ${meta}`]);
  });

  it('asks for a new token when its establishment secret is spent, and does not try that Version again', async () => {
    const { east, west, peering, dialer } = sides();
    east.set(TOKEN, tokenNaming('p1'), 2);
    peering.establishError = Object.assign(new Error('Consul answered 500 to POST /v1/peering/establish: ... desc = invalid peering establishment secret'), { name: 'ConsulUnavailable' });
    expect((await recoverPeerings(DIALER, dialer)).peers).toMatchObject([{ action: 'token-requested' }]);
    expect(west.params.get(REQUEST)?.Value).toBe('2');
    expect((await recoverPeerings(DIALER, dialer)).peers).toMatchObject([{ action: 'kept', reason: expect.stringContaining('spent') }]);
    expect(peering.calls).toHaveLength(1);
  });

  it('fails on any other establishment error, leaving it to the next tick and the lock free', async () => {
    const { east, west, peering, dialer } = sides();
    east.set(TOKEN, tokenNaming('p1'));
    peering.establishError = Object.assign(new Error('failed to dial peer: context deadline exceeded'), { name: 'ConsulUnavailable' });
    const logger = { ...dialer.logger, error: jest.fn() };
    const result = await recoverPeeringsAfter({ status: 'intact' }, { spec: async () => DIALER, peerings: async () => dialer, logger });
    expect(result).toEqual({ status: 'failed', error: 'ConsulUnavailable: failed to dial peer: context deadline exceeded' });
    expect(logger.error).toHaveBeenCalled();
    expect(west.params.has(REQUEST)).toBe(false);
    expect([...west.params.keys()].filter((name) => name.endsWith('/lock'))).toEqual([]);
  });

  it('defers to the next tick while another operation holds the mesh lock, writing nothing', async () => {
    const { east, peering, acceptor } = sides();
    east.set('/consul-mesh/east-mesh/lock', JSON.stringify({ holder: 'someone', expiresAt: Date.now() + 60_000, acquiredAt: Date.now() }));
    expect(await recoverPeerings(ACCEPTOR, acceptor)).toEqual({ status: 'deferred', peers: [] });
    expect(peering.calls).toEqual([]);
  });

  it('runs only once the datacenter is whole: not while it has no leader or is being restored by someone else', async () => {
    const spec = jest.fn(async () => ACCEPTOR);
    const deps = { spec, peerings: async () => sides().acceptor, logger: sides().acceptor.logger };
    for (const status of ['no-leader', 'deferred', 'no-spec-copy']) expect(await recoverPeeringsAfter({ status }, deps)).toBeUndefined();
    expect(spec).not.toHaveBeenCalled();
  });

  it('reads the time a snapshot was taken back from its key', () => {
    const at = Date.parse('2026-12-06T13:00:00.000Z');
    expect(snapshotTakenAt(snapshotKey('shop', at, 42))).toBe(at);
    expect(snapshotTakenAt('snapshots/shop/other.snap')).toBeUndefined();
  });
});
