import { AwsServiceError } from '@consul-mesh/local-cloud';
import { peeringTokenParameter } from '../../../layers/deploy/peering';
import { EAST_MESH, startPeeredMeshes, WEST_MESH, type PeeredMeshes } from './peering-support';

/**
 * Peerings after a datacenter loss with snapshots on (layers/recovery/peerings.ts): a Raft snapshot carries the
 * peerings with their secrets, as Consul's does, so a snapshot taken while the peering was ACTIVE brings it back and
 * it reconnects with no new token. A snapshot older than the stored token (re-keyed after a loss of the dialer)
 * restores secrets the dialer no longer holds: the acceptor's recovery makes a new token, the dialer re-establishes;
 * when the restoring tick cannot store that token, its next tick does (the re-key was recorded as owed first).
 */
describe('peerings after a Consul datacenter loss (snapshots on)', () => {
  let m: PeeredMeshes;

  beforeAll(async () => {
    m = await startPeeredMeshes({ snapshots: true });
  }, 400_000);
  afterAll(async () => {
    await m?.stop();
  });

  it('restores the acceptor\'s peering from the snapshot: ACTIVE again with the same token, nothing regenerated', async () => {
    const { east, west } = m;
    const id = (await m.peeringOf(east)).ID;
    expect(await m.recover(east, 'snapshot')).toMatchObject({ status: 'taken' });
    await m.loseDatacenter(east);

    const eastTick = await m.recover(east);
    expect(eastTick).toMatchObject({ status: 'restored', snapshot: expect.any(String), peerings: { peers: [{ name: 'west', action: 'kept' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    expect((await m.peeringOf(east)).ID).toBe(id);
    expect(await m.tokenVersion()).toBe(1);
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    await m.until('todos imported into eu-west-1', async () => (await m.importedTodos()) === 2);
  }, 180_000);

  it('re-keys a peering restored from a snapshot older than its token: the dialer re-establishes', async () => {
    const { east, west } = m;
    // The snapshot of the acceptor is taken now; then the dialer loses its datacenter (without a snapshot of its own
    // that has the peering: its first one is taken after the loss) and is peered again with a new token.
    expect(await m.recover(east, 'snapshot')).toMatchObject({ status: 'taken' });
    await m.loseDatacenter(west);
    expect(await m.recover(west)).toMatchObject({ status: 'restored', peerings: { peers: [{ action: 'token-requested' }] } });
    expect(await m.recover(east)).toMatchObject({ peerings: { peers: [{ action: 'token-generated' }] } });
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'established' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    expect(await m.tokenVersion()).toBe(2);

    // The acceptor is lost: its snapshot predates the token the dialer now holds.
    await m.loseDatacenter(east);
    const eastTick = await m.recover(east);
    expect(eastTick).toMatchObject({ status: 'restored', peerings: { peers: [{ action: 'token-generated', reason: expect.stringContaining('snapshot older') }] } });
    expect(await m.tokenVersion()).toBe(3);
    await m.until('the dialer FAILING', async () => (await m.peeringOf(west))?.State === 'FAILING');
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 're-established' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    await m.until('todos imported into eu-west-1', async () => (await m.importedTodos()) === 2);
  }, 240_000);

  it('makes that re-key on the next tick when the restoring tick could not store its token', async () => {
    const { east, west } = m;
    // As above: a snapshot of the acceptor, then a loss of the dialer re-keys the peering after it.
    expect(await m.recover(east, 'snapshot')).toMatchObject({ status: 'taken' });
    await m.loseDatacenter(west);
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'token-requested' }] } });
    expect(await m.recover(east)).toMatchObject({ peerings: { peers: [{ action: 'token-generated' }] } });
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 'established' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    const version = await m.tokenVersion();

    // The acceptor is lost, and SSM refuses its new token on the restoring tick (another writer's update in flight:
    // TooManyUpdates, which the SDK does not retry).
    const token = peeringTokenParameter(EAST_MESH, WEST_MESH);
    const operations = m.cloud.ssm.operations;
    const putParameter = operations.PutParameter;
    operations.PutParameter = (input, ctx) => {
      if (input.Name === token) throw new AwsServiceError('TooManyUpdates', 'There are concurrent updates for a resource that supports one update at a time.');
      return putParameter(input, ctx);
    };
    await m.loseDatacenter(east);
    try {
      expect(await m.recover(east)).toMatchObject({ status: 'restored', peerings: { status: 'failed', error: expect.stringContaining('TooManyUpdates') } });
    } finally {
      operations.PutParameter = putParameter;
    }
    expect(await m.tokenVersion()).toBe(version);

    // The next tick no longer knows the snapshot's age: the re-key recorded as owed is made, once.
    expect(await m.recover(east)).toMatchObject({ status: 'intact', peerings: { peers: [{ action: 'token-generated', reason: expect.stringContaining('re-key owed') }] } });
    expect(await m.tokenVersion()).toBe(version! + 1);
    await m.until('the dialer FAILING', async () => (await m.peeringOf(west))?.State === 'FAILING');
    expect(await m.recover(west)).toMatchObject({ peerings: { peers: [{ action: 're-established' }] } });
    await m.until('the peering ACTIVE again', m.bothActive);
    await m.until('todos imported into eu-west-1', async () => (await m.importedTodos()) === 2);
    expect(await m.recover(east)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await m.tokenVersion()).toBe(version! + 1);
  }, 300_000);
});
