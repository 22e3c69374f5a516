import {
  markedPeers,
  meshGatewayWanAddresses,
  peeringMark,
  peeringTokenAddresses,
  peeringTokenParameter,
  rekeyParameter,
  tokenAddressesStale,
  tokenRequestParameter,
  type Peering,
  type PeeringApi,
  type PeeringDeps,
} from '../../../layers/deploy/peering';
import { checkPeeringStage, ensurePeeringStage, peeringChanged, removedPeers } from '../../../layers/deploy/peering-stage';
import type { MeshSpec } from '../../../layers/domain/spec';
import { specFrom } from '../ecs/support';
import { fakeSsm } from './fake-ssm';
import { ConsulUnavailableError, PeeringTokenMissingError } from '../../../layers/errors';

/**
 * The peering stage's steps against fakes of Consul's peering API and of SSM in two regions (the local cloud's two
 * datacenters drive the same code in tests/integration/deploy/peering-stage.test.ts).
 */
function spec(peers: MeshSpec['peers'], name = 'shop'): MeshSpec {
  return specFrom({
    name,
    consul: { servers: { count: 1 }, dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } },
    clusters: [{ name: 'c1', services: [{ name: 'users', image: 'users:1.0.0', port: 8080 }] }],
    meshGateway: {},
    peers,
  } as never);
}

const acceptor = { name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'acceptor' as const };
const dialer = { name: 'east', mesh: 'users-mesh', region: 'us-west-2', role: 'dialer' as const };

/** Consul's peering API in memory, recording each call. */
function fakePeering(states: Record<string, Peering['State']> = {}, metas: Record<string, Record<string, string>> = {}) {
  const calls: string[] = [];
  const api: PeeringApi = {
    async read(name) {
      return states[name] ? { Name: name, State: states[name], ...(metas[name] ? { Meta: metas[name] } : {}) } : undefined;
    },
    async list() {
      return Object.keys(states).map((name) => ({ Name: name, State: states[name], ...(metas[name] ? { Meta: metas[name] } : {}) }));
    },
    async generateToken(name, meta) {
      calls.push(`token ${name}`);
      states[name] = 'PENDING';
      if (meta) metas[name] = meta;
      return `token-for-${name}`;
    },
    async establish(name, token, meta) {
      calls.push(`establish ${name} ${token}`);
      states[name] = 'ESTABLISHING';
      if (meta) metas[name] = meta;
    },
    async delete(name) {
      calls.push(`delete ${name}`);
      delete states[name];
      delete metas[name];
    },
  };
  return { api, calls, states, metas };
}

describe('the peering stage', () => {
  it('deletes the dropped peers first, then stores the acceptor\'s token and establishes the dialer\'s with its acceptor\'s', async () => {
    const peering = fakePeering({ gone: 'ACTIVE' });
    const home = fakeSsm(new Map([[peeringTokenParameter('shop', 'old-mesh'), 'old-token']]));
    const remote = fakeSsm(new Map([[peeringTokenParameter('users-mesh', 'shop'), 'their-token']]));
    const deps: PeeringDeps = { peering: peering.api, ssm: { home, inRegion: (region) => (region === 'us-west-2' ? remote : fakeSsm()) } };

    const status = await ensurePeeringStage(spec([acceptor, dialer]), { removed: [{ name: 'gone', mesh: 'old-mesh', region: 'eu-west-1', role: 'acceptor' }] }, deps);
    expect(peering.calls).toEqual(['delete gone', 'token west', 'establish east their-token']);
    expect(home.parameters.has(peeringTokenParameter('shop', 'old-mesh'))).toBe(false);
    expect(home.parameters.get(peeringTokenParameter('shop', 'todos-mesh'))).toBe('token-for-west');
    expect(status).toEqual({
      ready: false,
      round: 0,
      waitingFor: 'peering "east" ESTABLISHING',
      peers: [
        { name: 'gone', role: 'acceptor', action: 'deleted' },
        { name: 'west', role: 'acceptor', action: 'token-generated', state: 'PENDING' },
        { name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' },
      ],
    });
    expect(peeringChanged(status)).toBe(true);

    // One round of the wait: the dialer's peering read again; ready once ACTIVE.
    const waiting = await checkPeeringStage(spec([acceptor, dialer]), status, deps);
    expect(waiting).toMatchObject({ ready: false, round: 1, waitingFor: 'peering "east" ESTABLISHING' });
    peering.states.east = 'ACTIVE';
    expect(await checkPeeringStage(spec([acceptor, dialer]), waiting, deps)).toMatchObject({ ready: true, round: 2, waitingFor: '' });
  });

  it('is ready at once and changes nothing when every peering lives and the token is stored', async () => {
    const peering = fakePeering({ west: 'PENDING', east: 'ACTIVE' });
    const home = fakeSsm(new Map([[peeringTokenParameter('shop', 'todos-mesh'), 'token-for-west']]));
    const status = await ensurePeeringStage(spec([acceptor, dialer]), { removed: [] }, { peering: peering.api, ssm: { home, inRegion: () => fakeSsm() } });
    expect(peering.calls).toEqual([]);
    expect(home.puts).toEqual([]);
    expect(status).toMatchObject({ ready: true, round: 0, waitingFor: '' });
    expect(peeringChanged(status)).toBe(false);
  });

  it('fails with PeeringTokenMissing, after nothing was written, when the acceptor has not stored its token', async () => {
    const peering = fakePeering();
    const home = fakeSsm();
    await expect(ensurePeeringStage(spec([dialer]), { removed: [] }, { peering: peering.api, ssm: { home, inRegion: () => fakeSsm() } })).rejects.toMatchObject({
      name: 'PeeringTokenMissing',
      message: expect.stringContaining('deploy mesh "users-mesh" in region us-west-2 first'),
    });
    expect(peering.calls).toEqual([]);
    expect(home.puts).toEqual([]);
  });

  it('fails with PeeringTokenMissing, not ConsulUnavailable (retried in vain), when the acceptor refuses the stored token', async () => {
    // The acceptor's side TERMINATED (this mesh was torn down and deployed again before the acceptor was): Consul's
    // establish answers 500 with the acceptor's refusal of the secret exchange, which the Consul client raises as
    // ConsulUnavailable. Consul's words, then the local cloud's for a TERMINATED peering.
    const refusals = [
      'rpc error: code = PermissionDenied desc = invalid peering establishment secret',
      'rpc error: code = NotFound desc = peering is marked for deletion',
    ];
    for (const refusal of refusals) {
      const peering = fakePeering();
      peering.api.establish = async () => {
        throw new ConsulUnavailableError(`Consul answered 500 to POST /v1/peering/establish: 1 error occurred:\n\t* failed to exchange peering secret with "10.0.0.7:8443": ${refusal}`);
      };
      const remote = fakeSsm(new Map([[peeringTokenParameter('users-mesh', 'shop'), 'their-token']]));
      const failure = await ensurePeeringStage(spec([dialer]), { removed: [] }, { peering: peering.api, ssm: { home: fakeSsm(), inRegion: () => remote } }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(PeeringTokenMissingError);
      expect((failure as Error).message).toContain(`mesh "users-mesh" in us-west-2 refused the peering token it keeps for mesh "shop" (${peeringTokenParameter('users-mesh', 'shop')}`);
      expect((failure as Error).message).toContain('deploy mesh "users-mesh" in region us-west-2 again first');
      expect((failure as Error).cause).toBeInstanceOf(ConsulUnavailableError);
    }
  });

  it('leaves an acceptor not reachable yet to the retries (ConsulUnavailable)', async () => {
    const peering = fakePeering();
    const unreachable = new ConsulUnavailableError('Consul answered 500 to POST /v1/peering/establish: failed to exchange peering secret with "10.0.0.7:8443": connection refused');
    peering.api.establish = async () => {
      throw unreachable;
    };
    const remote = fakeSsm(new Map([[peeringTokenParameter('users-mesh', 'shop'), 'their-token']]));
    await expect(ensurePeeringStage(spec([dialer]), { removed: [] }, { peering: peering.api, ssm: { home: fakeSsm(), inRegion: () => remote } })).rejects.toBe(unreachable);
  });

  it('deletes with a removed peer what this side keeps about it: an acceptor\'s token and re-key record, a dialer\'s token request', async () => {
    const peering = fakePeering({ west: 'ACTIVE', east: 'ACTIVE' });
    const kept = peeringTokenParameter('shop', 'kept-mesh');
    const home = fakeSsm(
      new Map([
        [peeringTokenParameter('shop', 'todos-mesh'), 'token-for-west'],
        [rekeyParameter('shop', 'todos-mesh'), '1'],
        [tokenRequestParameter('shop', 'users-mesh'), '3'],
        [kept, 'another'],
      ]),
    );
    await ensurePeeringStage(spec([]), { removed: [acceptor, dialer] }, { peering: peering.api, ssm: { home, inRegion: () => fakeSsm() } });
    expect(peering.calls).toEqual(['delete west', 'delete east']);
    expect([...home.parameters.keys()]).toEqual([kept]);
  });

  it('waits for a peering made anew under the same name (another mesh) to be gone before the new one is made', async () => {
    const peering = fakePeering({ west: 'ACTIVE' }, { west: peeringMark('shop', { ...acceptor, mesh: 'old-mesh' }) });
    // As Consul: a deleted peering is DELETING until the leader removes it (here: after two reads), and a token for
    // a peering marked for deletion is refused.
    let readsWhileDeleting = 0;
    const api: PeeringApi = {
      ...peering.api,
      async delete(name) {
        peering.calls.push(`delete ${name}`);
        peering.states[name] = 'DELETING';
      },
      async read(name) {
        if (peering.states[name] === 'DELETING' && ++readsWhileDeleting > 2) delete peering.states[name];
        return peering.api.read(name);
      },
      async generateToken(name, meta) {
        if (peering.states[name] === 'DELETING') throw new Error('cannot write to peering that is marked for deletion');
        return peering.api.generateToken(name, meta);
      },
    };
    const home = fakeSsm();
    const status = await ensurePeeringStage(spec([acceptor]), { removed: [{ ...acceptor, mesh: 'old-mesh' }] }, { peering: api, ssm: { home, inRegion: () => fakeSsm() } });
    expect(peering.calls).toEqual(['delete west', 'token west']);
    expect(status.peers).toEqual([
      { name: 'west', role: 'acceptor', action: 'deleted' },
      { name: 'west', role: 'acceptor', action: 'token-generated', state: 'PENDING' },
    ]);
    expect(peering.metas.west).toEqual(peeringMark('shop', acceptor));
  });

  it('finds the deployed spec\'s peers the spec drops or changes, ignoring what does not parse', () => {
    const deployed = { peers: [acceptor, dialer, { name: 'x' }] };
    expect(removedPeers({ peers: [acceptor, dialer] }, deployed)).toEqual([]);
    expect(removedPeers({ peers: [dialer] }, deployed)).toEqual([acceptor]);
    // Same name, another mesh: the old peering goes, the new one is made.
    expect(removedPeers({ peers: [{ ...dialer, mesh: 'other-mesh' }] }, deployed)).toEqual([acceptor, dialer]);
    expect(removedPeers({ peers: [] }, undefined)).toEqual([]);
    expect(removedPeers({ peers: [] }, { peers: 'nonsense' })).toEqual([]);
  });

  it('marks the peerings it makes with the mesh and the peer (Meta), on both sides', async () => {
    const peering = fakePeering();
    const remote = fakeSsm(new Map([[peeringTokenParameter('users-mesh', 'shop'), 'their-token']]));
    await ensurePeeringStage(spec([acceptor, dialer]), { removed: [] }, { peering: peering.api, ssm: { home: fakeSsm(), inRegion: () => remote } });
    expect(peering.metas.west).toEqual(peeringMark('shop', acceptor));
    expect(peering.metas.east).toMatchObject(peeringMark('shop', dialer));
    expect(markedPeers('shop', await peering.api.list())).toEqual([acceptor, dialer]);
    expect(markedPeers('other', await peering.api.list())).toEqual([]);
  });

  it('deletes the marked peerings Consul lists that the spec no longer declares, even when the deployed spec forgot them; never an unmarked one', async () => {
    // A deployment stored a spec without `west` and stopped before its peering stage: the deployed spec no longer
    // names it, Consul still has the peering, with this mesh's mark.
    const peering = fakePeering(
      { west: 'ACTIVE', manual: 'ACTIVE', foreign: 'ACTIVE', leaving: 'DELETING' },
      { west: peeringMark('shop', acceptor), foreign: peeringMark('another-mesh', dialer), leaving: peeringMark('shop', dialer) },
    );
    const tokenOfWest = peeringTokenParameter('shop', 'todos-mesh');
    const home = fakeSsm(new Map([[tokenOfWest, 'token-for-west']]));
    const marked = markedPeers('shop', await peering.api.list());
    expect(marked).toEqual([acceptor]);
    // The plan: the deployed spec has no peers any more; the marks still name the one to delete.
    expect(removedPeers({ peers: [] }, { peers: [] }, marked)).toEqual([acceptor]);
    expect(removedPeers({ peers: [acceptor] }, { peers: [] }, marked)).toEqual([]);

    // The stage, with a plan that saw nothing (it could not list): it lists and deletes the marked one itself.
    const status = await ensurePeeringStage(spec([]), { removed: [] }, { peering: peering.api, ssm: { home, inRegion: () => fakeSsm() } });
    expect(peering.calls).toEqual(['delete west']);
    expect(home.parameters.has(tokenOfWest)).toBe(false);
    expect(status.peers).toEqual([{ name: 'west', role: 'acceptor', action: 'deleted' }]);
    expect(Object.keys(peering.states).sort()).toEqual(['foreign', 'leaving', 'manual']);

    // A peer the plan already removes is deleted once.
    const again = fakePeering({ west: 'ACTIVE' }, { west: peeringMark('shop', acceptor) });
    await ensurePeeringStage(spec([]), { removed: [acceptor] }, { peering: again.api, ssm: { home: fakeSsm(), inRegion: () => fakeSsm() } });
    expect(again.calls).toEqual(['delete west']);
  });
  describe('an acceptor whose mesh gateways moved since its token was generated', () => {
    /** A token as Consul encodes it (base64 JSON `PeeringToken`), naming `addresses`. */
    const tokenNaming = (addresses: string[], secret = 'e1') =>
      Buffer.from(JSON.stringify({ CA: null, ServerAddresses: addresses, ServerName: 'server.dc1.peering.x.consul', PeerID: 'p1', EstablishmentSecret: secret })).toString('base64');
    const parameter = peeringTokenParameter('shop', 'todos-mesh');

    /** Consul's peering API whose new tokens name the gateways' `addresses` now. */
    function movedGateways(state: Peering['State'], addresses: string[] | undefined) {
      const peering = fakePeering({ west: state });
      const gateways: string[] = [];
      const api: PeeringApi = {
        ...peering.api,
        async generateToken(name, meta) {
          await peering.api.generateToken(name, meta);
          peering.states[name] = state;
          return tokenNaming(addresses ?? [], 'e2');
        },
        async tokenAddresses(gateway) {
          gateways.push(gateway);
          return addresses;
        },
      };
      return { peering, api, gateways };
    }

    it('generates a new token and overwrites the stored one when the stored token names the old WAN address (PENDING: no dialer yet)', async () => {
      const { peering, api, gateways } = movedGateways('PENDING', ['nlb-1.elb.us-east-1.amazonaws.com:8443']);
      const home = fakeSsm(new Map([[parameter, tokenNaming(['10.0.1.5:8443'])]]));
      const status = await ensurePeeringStage(spec([acceptor]), { removed: [] }, { peering: api, ssm: { home, inRegion: () => fakeSsm() } });
      expect(gateways).toEqual(['mesh-gateway']);
      expect(peering.calls).toEqual(['token west']);
      expect(home.puts).toEqual([parameter]);
      expect(peeringTokenAddresses(home.parameters.get(parameter)!)).toEqual(['nlb-1.elb.us-east-1.amazonaws.com:8443']);
      expect(status.peers).toEqual([{ name: 'west', role: 'acceptor', action: 'token-generated', state: 'PENDING' }]);
      expect(peeringChanged(status)).toBe(true);
    });

    it('renews it for an ACTIVE peering too (Consul keeps the stream secrets through a new token), reporting the state it has', async () => {
      const { peering, api } = movedGateways('ACTIVE', ['10.0.2.7:8443']);
      const home = fakeSsm(new Map([[parameter, tokenNaming(['nlb-1.elb.us-east-1.amazonaws.com:8443'])]]));
      const status = await ensurePeeringStage(spec([acceptor]), { removed: [] }, { peering: api, ssm: { home, inRegion: () => fakeSsm() } });
      expect(peering.calls).toEqual(['token west']);
      expect(home.puts).toEqual([parameter]);
      expect(status.peers).toEqual([{ name: 'west', role: 'acceptor', action: 'token-generated', state: 'ACTIVE' }]);
    });

    it('writes nothing when the stored token names the addresses a new one would (in any order, several tasks behind one NLB)', async () => {
      const { peering, api } = movedGateways('ACTIVE', ['10.0.2.7:8443', '10.0.1.5:8443']);
      const home = fakeSsm(new Map([[parameter, tokenNaming(['10.0.1.5:8443', '10.0.2.7:8443', '10.0.1.5:8443'])]]));
      const status = await ensurePeeringStage(spec([acceptor]), { removed: [] }, { peering: api, ssm: { home, inRegion: () => fakeSsm() } });
      expect(peering.calls).toEqual([]);
      expect(home.puts).toEqual([]);
      expect(status.peers).toEqual([{ name: 'west', role: 'acceptor', action: 'token-kept', state: 'ACTIVE' }]);
    });

    it('leaves the token when it cannot tell: no gateway registered, servers\' addresses (not through gateways), a value that is no token', async () => {
      for (const [addresses, stored] of [
        [[], tokenNaming(['10.0.1.5:8443'])],
        [undefined, tokenNaming(['10.0.1.5:8443'])],
        [['10.0.2.7:8443'], 'not-a-token'],
      ] as Array<[string[] | undefined, string]>) {
        const { peering, api } = movedGateways('PENDING', addresses);
        const home = fakeSsm(new Map([[parameter, stored]]));
        await ensurePeeringStage(spec([acceptor]), { removed: [] }, { peering: api, ssm: { home, inRegion: () => fakeSsm() } });
        expect({ calls: peering.calls, puts: home.puts }).toEqual({ calls: [], puts: [] });
      }
    });

    it('compares the token\'s ServerAddresses with the gateways\' WAN addresses as Consul picks them (BestAddress with wan)', () => {
      expect(
        meshGatewayWanAddresses([
          // The wan tagged address and its port.
          { ServiceKind: 'mesh-gateway', Address: '10.0.1.5', ServiceAddress: '10.0.1.5', ServicePort: 8443, ServiceTaggedAddresses: { wan: { Address: 'nlb.example.com', Port: 443 } } },
          // The same NLB behind a second task: once.
          { ServiceKind: 'mesh-gateway', Address: '10.0.1.6', ServiceAddress: '10.0.1.6', ServicePort: 8443, ServiceTaggedAddresses: { wan: { Address: 'nlb.example.com', Port: 443 } } },
          // No wan tagged address: the service address, else the node's wan, else the node address.
          { ServiceKind: 'mesh-gateway', Address: '10.0.3.1', ServiceAddress: '10.0.3.2', ServicePort: 8443 },
          { ServiceKind: 'mesh-gateway', Address: '10.0.4.1', TaggedAddresses: { wan: '198.51.100.4' }, ServicePort: 8443 },
          { ServiceKind: 'mesh-gateway', Address: '10.0.5.1', ServicePort: 8443 },
          // Not a mesh gateway.
          { ServiceKind: 'connect-proxy', Address: '10.0.6.1', ServicePort: 20000 },
        ]),
      ).toEqual(['10.0.3.2:8443', '10.0.5.1:8443', '198.51.100.4:8443', 'nlb.example.com:443']);
      expect(tokenAddressesStale(tokenNaming(['10.0.1.5:8443']), ['10.0.1.5:8443'])).toBe(false);
      expect(tokenAddressesStale(tokenNaming(['10.0.1.5:8443']), ['nlb.example.com:8443'])).toBe(true);
      // A port change alone, and a gateway added or gone, count.
      expect(tokenAddressesStale(tokenNaming(['nlb.example.com:8443']), ['nlb.example.com:443'])).toBe(true);
      expect(tokenAddressesStale(tokenNaming(['10.0.1.5:8443']), ['10.0.1.5:8443', '10.0.1.6:8443'])).toBe(true);
      expect(peeringTokenAddresses('%%%')).toBeUndefined();
    });
  });
});
