import { exampleSpec, expectIntact, usePeeredMeshes, until } from './harness';

/**
 * One mesh of a live peering torn down: its teardown deletes the peering first, the other side's peering is
 * TERMINATED, and the other mesh keeps every registration and still deploys (its spec unchanged: as the acceptor it
 * generates a fresh token), and the torn-down mesh deployed again peers with it again.
 */
describe('tearing down one mesh of a live peering (examples/multi-region)', () => {
  const pair = usePeeredMeshes();

  it('west-mesh destroyed while peered: the peering TERMINATED in us-east-1, east-mesh intact and deployable, west redeployed peers again', async () => {
    const { east, west } = pair;
    expect((await east.peering())?.State).toBe('ACTIVE');
    const eastRegistered = await east.registered();

    const ended = await west.destroy();
    expect(ended.status).toBe('SUCCEEDED');
    expect(await west.runningTasks()).toEqual([]);

    await until('TERMINATED in us-east-1', async () => ((await east.peering())?.State === 'TERMINATED' ? true : undefined), 5_000);
    expect(await east.registered()).toEqual(eastRegistered);
    await expectIntact(east);

    // east's spec still names the peer: the acceptor's deployment succeeds and stores a new token (Consul keeps the
    // TERMINATED peering's state until a dialer establishes with it).
    const run = await east.deploy(exampleSpec('east'));
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    await expectIntact(east);

    // west deployed again from nothing dials with that token: the pair is peered again, todos imported again.
    const again = await west.deploy(exampleSpec('west'));
    expect({ status: again.status, cause: again.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    await until('ACTIVE on both sides again', async () => ((await east.peering())?.State === 'ACTIVE' && (await west.peering())?.State === 'ACTIVE' ? true : undefined), 5_000);
    await until('todos imported in us-east-1 again', async () => ((await east.peering())?.StreamStatus?.ImportedServices?.includes('todos') ? true : undefined), 5_000);
    expect(await east.registered()).toEqual(eastRegistered);
    await expectIntact(west);
  }, 240_000);
});
