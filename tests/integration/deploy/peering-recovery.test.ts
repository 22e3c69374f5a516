import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { tokenRequestParameter } from '../../../layers/recovery/peerings';
import { EAST, EAST_MESH, startPeeredMeshes, WEST, WEST_MESH, type PeeredMeshes } from './peering-support';

/**
 * Peerings survive a Consul datacenter loss on either side (layers/recovery/peerings.ts): two deployed, peered meshes
 * (peering-support.ts), each side's recovery function invoked as its schedule does. Snapshots are off: the new
 * datacenter has no peering at all (the re-apply path; peering-recovery-snapshot.test.ts has them on).
 */
describe('peerings after a Consul datacenter loss on either side (snapshots off)', () => {
  let m: PeeredMeshes;

  beforeAll(async () => {
    m = await startPeeredMeshes({ snapshots: false });
  }, 400_000);
  afterAll(async () => {
    await m?.stop();
  });

  it('leaves a peering whose gateways are down alone (no new token), and it is ACTIVE again by itself', async () => {
    const { east, west } = m;
    const ids = { east: (await m.peeringOf(east)).ID, west: (await m.peeringOf(west)).ID };
    const ecs = new ECSClient({ endpoint: m.cloud.endpoints.aws, region: EAST, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await ecs.send(new UpdateServiceCommand({ cluster: 'mesh-gateway', service: 'mesh-gateway', desiredCount: 0 }));
      await m.until('the peering FAILING on both sides', async () => (await m.peeringOf(east))?.State === 'FAILING' && (await m.peeringOf(west))?.State === 'FAILING');

      const [eastTick, westTick] = [await m.recover(east), await m.recover(west)];
      expect(eastTick).toMatchObject({ status: 'intact', peerings: { status: 'checked', peers: [{ name: 'west', action: 'kept', state: 'FAILING' }] } });
      expect(westTick).toMatchObject({ status: 'intact', peerings: { status: 'checked', peers: [{ name: 'east', action: 'kept', state: 'FAILING' }] } });
      expect(await m.tokenVersion()).toBe(1);

      await ecs.send(new UpdateServiceCommand({ cluster: 'mesh-gateway', service: 'mesh-gateway', desiredCount: 1 }));
    } finally {
      ecs.destroy();
    }
    await m.until('the peering ACTIVE again', m.bothActive);
    expect({ east: (await m.peeringOf(east)).ID, west: (await m.peeringOf(west)).ID }).toEqual(ids);
    // ACTIVE on both sides: a tick reads the peering and writes nothing.
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await m.tokenVersion()).toBe(1);
  }, 120_000);

  it('the acceptor\'s datacenter lost: its recovery generates a new token, the dialer\'s re-establishes with it', async () => {
    const { east, west } = m;
    await m.loseDatacenter(east);
    expect(await m.peeringOf(east)).toBeUndefined();
    await m.until('the dialer FAILING', async () => (await m.peeringOf(west))?.State === 'FAILING');
    // The dialer's tick before the acceptor's: the token is unchanged, so the peering is left as it is.
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'FAILING' }] } });

    const eastTick = await m.recover(east);
    expect(eastTick).toMatchObject({ status: 'restored', peerings: { peers: [{ name: 'west', role: 'acceptor', action: 'token-generated' }] } });
    expect(await m.tokenVersion()).toBe(2);
    expect(await m.peeringOf(east)).toMatchObject({ State: 'PENDING' });

    const westTick = await m.recover(west);
    expect(westTick).toMatchObject({ status: 'intact', peerings: { peers: [{ name: 'east', role: 'dialer', action: 're-established' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    // The Version it established with, and the mesh's mark (a peering the recovery makes is the mesh's too).
    expect((await m.peeringOf(west)).Meta).toEqual({
      'consul-mesh-token-version': '2',
      'consul-mesh:mesh': 'west-mesh',
      'consul-mesh:peer-mesh': 'reference-mesh',
      'consul-mesh:peer-region': 'us-east-1',
      'consul-mesh:role': 'dialer',
    });
    await m.until('todos imported into eu-west-1 again', async () => (await m.importedTodos()) === 2);
    // Idempotent: the next ticks find both ACTIVE.
    expect(await m.recover(east)).toMatchObject({ status: 'intact', peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await m.tokenVersion()).toBe(2);
  }, 180_000);

  it('the dialer\'s datacenter lost: its spent token is reported, the acceptor makes a new one, the dialer establishes', async () => {
    const { east, west } = m;
    await m.loseDatacenter(west);
    expect(await m.peeringOf(west)).toBeUndefined();
    await m.until('the acceptor FAILING', async () => (await m.peeringOf(east))?.State === 'FAILING');
    // The acceptor's tick before the dialer's: no request, FAILING is left to reconnect.
    expect(await m.recover(east)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'FAILING' }] } });
    expect(await m.tokenVersion()).toBe(2);

    // Consul takes an establishment secret once: version 2 was used before the loss.
    const westTick = await m.recover(west);
    expect(westTick).toMatchObject({ status: 'restored', peerings: { peers: [{ name: 'east', action: 'token-requested' }] } });
    expect((await m.ssmIn(WEST).getParameter(tokenRequestParameter(WEST_MESH, EAST_MESH)))?.Value).toBe('2');
    // Until the acceptor answers, the dialer does not try the spent token again.
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', reason: expect.stringContaining('spent') }] } });

    expect(await m.recover(east)).toMatchObject({ peerings: { peers: [{ name: 'west', action: 'token-generated' }] } });
    expect(await m.tokenVersion()).toBe(3);
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ name: 'east', action: 'established' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    await m.until('todos imported into eu-west-1 again', async () => (await m.importedTodos()) === 2);
    expect(await m.recover(east)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await m.tokenVersion()).toBe(3);
  }, 180_000);
});
