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
const REKEY = rekeyParameter('east-mesh', 'west-mesh');
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
  /** The next PutParameter of this name fails with this error (once). */
  readonly putErrors = new Map<string, Error>();
  async getParameter(name: string) {
    this.reads.push(name);
    const found = this.params.get(name);
    if (!found) throw Object.assign(new Error(`${name} not found`), { name: 'ParameterNotFound' });
    return { Name: name, ...found };
  }
  async putParameter(input: { Name?: string; Value?: string; Overwrite?: boolean }) {
    const failure = this.putErrors.get(input.Name!);
    if (failure) {
      this.putErrors.delete(input.Name!);
      throw failure;
    }
    const existing = this.params.get(input.Name!);
    if (existing && !input.Overwrite) throw Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists' });
    this.writes.push(input.Name!);
    const Version = (existing?.Version ?? 0) + 1;
    this.params.set(input.Name!, { Value: input.Value!, Version, LastModifiedDate: new Date() });
    return { Version, Tier: 'Standard' as const };
  }
  async deleteParameter(name: string) {
    this.writes.push(`delete ${name}`);
    this.params.delete(name);
  }
  set(name: string, Value: string, Version = 1, LastModifiedDate = new Date()) {
    this.params.set(name, { Value, Version, LastModifiedDate });
  }
  /** The writes other than the mesh lock's (every tick past the quiet path takes and frees it). */
  writesBesidesLock(): string[] {
    return this.writes.filter((name) => !name.endsWith('/lock'));
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
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'ACTIVE', StreamStatus: { LastHeartbeat: '2026-12-06T13:00:00Z' } });
    expect(await recoverPeerings(ACCEPTOR, acceptor)).toEqual({ status: 'checked', peers: [{ name: 'west', role: 'acceptor', action: 'kept', state: 'ACTIVE' }] });
    expect({ reads: east.reads, writes: east.writes, calls: peering.calls }).toEqual({ reads: [], writes: [], calls: [] });
  });

  it('reads only the re-key record of an ACTIVE acceptor peering no stream backs yet, and writes nothing without one', async () => {
    const { east, peering, acceptor } = sides();
    peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'ACTIVE', StreamStatus: { LastHeartbeat: null } });
    east.set(TOKEN, tokenNaming('p1'), 2);
    expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'ACTIVE' }]);
    // A spent record (the token moved past its Version) or one owed since a PENDING restore changes nothing either.
    for (const value of ['1:older-snapshot', '2']) {
      east.set(REKEY, value);
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'ACTIVE' }]);
    }
    expect({ reads: [...new Set(east.reads)], writes: east.writes, calls: peering.calls }).toEqual({ reads: [REKEY, TOKEN], writes: [], calls: [] });
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

  describe('a restore from a snapshot older than the stored token', () => {
    const SNAPSHOT_AT = Date.parse('2026-12-06T13:00:00.000Z');
    /** The acceptor restored from a snapshot taken before its token was stored (Version 2, an hour later). */
    function restoredFromOlderSnapshot(State: 'FAILING' | 'ACTIVE' = 'FAILING') {
      const setup = sides();
      setup.peering.peerings.set('west', { Name: 'west', ID: 'p1', State });
      setup.east.set(TOKEN, tokenNaming('p1'), 2, new Date(SNAPSHOT_AT + 3_600_000));
      return setup;
    }

    it('re-keys the restored peering on the restoring tick, recording the re-key as owed first', async () => {
      const { east, acceptor } = restoredFromOlderSnapshot();
      const result = await recoverPeerings(ACCEPTOR, acceptor, { restored: true, snapshotTakenAt: SNAPSHOT_AT });
      expect(result.peers).toMatchObject([{ action: 'token-generated', reason: expect.stringContaining('snapshot older') }]);
      expect(east.writesBesidesLock()).toEqual([REKEY, TOKEN]);
      expect(east.params.get(REKEY)?.Value).toBe('2:older-snapshot');
      expect(east.params.get(TOKEN)?.Version).toBe(3);
    });

    it('retries on the next tick a re-key whose token could not be generated, and writes nothing once it is made', async () => {
      const { east, peering, acceptor } = restoredFromOlderSnapshot();
      peering.generateError = Object.assign(new Error('Consul answered 500 to POST /v1/peering/token: no leader'), { name: 'ConsulUnavailable' });
      await expect(recoverPeerings(ACCEPTOR, acceptor, { restored: true, snapshotTakenAt: SNAPSHOT_AT })).rejects.toThrow('no leader');
      expect(east.params.get(REKEY)?.Value).toBe('2:older-snapshot');
      expect(east.params.get(TOKEN)?.Version).toBe(2);

      // The next tick no longer knows the snapshot's age: the record says the re-key is owed.
      peering.generateError = undefined;
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'token-generated', state: 'FAILING', reason: expect.stringContaining('re-key owed') }]);
      expect(east.params.get(TOKEN)?.Version).toBe(3);

      // Spent: the peering still FAILING (its dialer has not re-established yet), the third tick writes nothing.
      east.writes.length = 0;
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'FAILING' }]);
      expect(east.writesBesidesLock()).toEqual([]);
      expect(peering.calls.filter((c) => c.startsWith('generate'))).toHaveLength(2);
    });

    it('retries on the next tick a re-key whose new token could not be stored', async () => {
      const { east, peering, acceptor } = restoredFromOlderSnapshot();
      east.putErrors.set(TOKEN, Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
      await expect(recoverPeerings(ACCEPTOR, acceptor, { restored: true, snapshotTakenAt: SNAPSHOT_AT })).rejects.toThrow('Rate exceeded');
      expect(east.params.get(TOKEN)?.Version).toBe(2);
      // Consul holds the unused establishment secret of a token nobody has: the retry replaces it.
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'token-generated' }]);
      expect(east.params.get(TOKEN)?.Version).toBe(3);
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept' }]);
      expect(peering.calls.filter((c) => c.startsWith('generate'))).toHaveLength(2);
    });

    it('retries it while the restored peering reads ACTIVE with no stream heard from (as Raft stored it)', async () => {
      const { east, peering, acceptor } = restoredFromOlderSnapshot('ACTIVE');
      peering.generateError = Object.assign(new Error('no leader'), { name: 'ConsulUnavailable' });
      await expect(recoverPeerings(ACCEPTOR, acceptor, { restored: true, snapshotTakenAt: SNAPSHOT_AT })).rejects.toThrow('no leader');
      peering.generateError = undefined;
      // The quiet path gives way to the owed re-key.
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'token-generated', state: 'ACTIVE' }]);
      expect(east.params.get(TOKEN)?.Version).toBe(3);
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'ACTIVE' }]);
      expect(peering.calls.filter((c) => c.startsWith('generate'))).toHaveLength(2);
    });

    it('drops an owed re-key instead of making it once the ACTIVE peering\'s stream is heard from (the dialer\'s secret is here)', async () => {
      const { east, peering, acceptor } = restoredFromOlderSnapshot('ACTIVE');
      east.set(REKEY, '2:older-snapshot');
      peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'ACTIVE', StreamStatus: { LastHeartbeat: '2026-12-06T14:30:00Z' } });
      // Past the quiet path only on a tick that restored (without a snapshot's age: a datacenter restored otherwise).
      expect((await recoverPeerings(ACCEPTOR, acceptor, { restored: true })).peers).toMatchObject([{ action: 'kept', state: 'ACTIVE' }]);
      expect(east.params.has(REKEY)).toBe(false);
      // Had it stayed, a later FAILING (gateways down) would re-key a peering whose dialer holds a working secret.
      peering.peerings.set('west', { Name: 'west', ID: 'p1', State: 'FAILING' });
      expect((await recoverPeerings(ACCEPTOR, acceptor)).peers).toMatchObject([{ action: 'kept', state: 'FAILING' }]);
      expect(peering.calls).toEqual([]);
    });
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
