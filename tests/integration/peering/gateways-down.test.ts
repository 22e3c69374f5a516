import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { usePeeredMeshes, until, type Json, type Side } from './harness';

/**
 * The peering runs through the mesh gateways (the `mesh` entry's Peering.PeerThroughMeshGateways): with one side's
 * gateways down the peering goes FAILING on the other side too, and ACTIVE again once they are back, with every
 * registration of both meshes kept and what was imported still there.
 */
describe('a peer\'s mesh gateways down and back (examples/multi-region)', () => {
  const pair = usePeeredMeshes();

  /** Scales the side's mesh gateway service (cluster and service `mesh-gateway` in the example) as an operator would. */
  const scaleGateways = (side: Side, desiredCount: number) =>
    side.ecs.send(new UpdateServiceCommand({ cluster: 'mesh-gateway', service: 'mesh-gateway', desiredCount }));
  const passingGateways = async (side: Side) => ((await side.consulCall('/v1/health/service/mesh-gateway?passing')).body as Json[]).length;
  const stateOf = async (side: Side) => (await side.peering())?.State;
  const importedTodos = async () => ((await pair.east.consulCall('/v1/health/service/todos?peer=west')).body as Json[]).map((e) => e.Service.ID).sort();

  for (const down of ['west', 'east'] as const) {
    it(`${down}'s gateways scaled to 0: FAILING on the other side, ACTIVE again once they run, no registration lost`, async () => {
      const side = pair[down];
      const other = down === 'west' ? pair.east : pair.west;
      await until('ACTIVE on both sides', async () => ((await stateOf(pair.east)) === 'ACTIVE' && (await stateOf(pair.west)) === 'ACTIVE' ? true : undefined));
      const imported = await until('todos imported', async () => {
        const ids = await importedTodos();
        return ids.length === 2 ? ids : undefined;
      });
      const registeredBefore = { east: await pair.east.registered(), west: await pair.west.registered() };

      await scaleGateways(side, 0);
      await until(`${down}'s gateway deregistered`, async () => ((await passingGateways(side)) === 0 ? true : undefined));
      await until(`FAILING in ${other.region}`, async () => ((await stateOf(other)) === 'FAILING' ? true : undefined), 5_000);
      // What was imported stays while the peering is FAILING (Consul keeps it until the peering is deleted).
      expect(await importedTodos()).toEqual(imported);

      await scaleGateways(side, 1);
      await until(`ACTIVE in ${other.region} again`, async () => ((await stateOf(other)) === 'ACTIVE' ? true : undefined), 10_000);
      await until(`ACTIVE in ${side.region} again`, async () => ((await stateOf(side)) === 'ACTIVE' ? true : undefined), 5_000);
      expect(await passingGateways(side)).toBe(1);

      // Every registration of both meshes is still there, and each matches what ECS runs.
      expect({ east: await pair.east.registered(), west: await pair.west.registered() }).toEqual(registeredBefore);
      expect(await pair.east.registered()).toEqual(await pair.east.runningTasks());
      expect(await pair.west.registered()).toEqual(await pair.west.runningTasks());
      expect(await importedTodos()).toEqual(imported);
    }, 60_000);
  }
});
