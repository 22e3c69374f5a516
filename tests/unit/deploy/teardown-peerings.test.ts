import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MeshSpecSchema } from '../../../layers/domain/spec/schema';
import { removeMeshPeerings, type DestroyPlan } from '../../../layers/deploy/teardown';

/**
 * The teardown's first Consul step deletes the mesh's peerings and waits until Consul's leader has removed them (it
 * tells the peer first): the next states stop the mesh gateways, through which the peer would have been told.
 */
const plan: DestroyPlan = {
  mesh: 'west-mesh',
  destroyId: 'x-20261206180000-abcdef',
  purge: false,
  lockName: 'consul-mesh/west-mesh/lock',
  lockHolder: 'x-20261206180000-abcdef',
  pollSeconds: 0,
  maxRounds: 1,
  stages: { ingress: [], services: [], servers: [{ cluster: 'consul', service: 'consul-server', role: 'server' }] },
  clusters: ['consul'],
  families: [],
};

/** The example's west mesh: its one peer, `east`. */
const spec = MeshSpecSchema.parse(parse(readFileSync(join(__dirname, '../../../examples/multi-region/west.yaml'), 'utf8')));

/** A Consul whose deleted peering stays listed (DELETING) for `readsUntilGone` reads; the deployed spec in KV. */
function consulWith(readsUntilGone: number) {
  const calls: string[] = [];
  let deleted = false;
  let reads = 0;
  return {
    calls,
    consul: {
      async kvGet() {
        return { key: 'consul-mesh/west-mesh/spec', value: JSON.stringify(spec), modifyIndex: 1 };
      },
      async deletePeering(name: string) {
        calls.push(`delete ${name}`);
        deleted = true;
      },
      async readPeering(name: string) {
        reads += 1;
        calls.push(`read ${name}`);
        if (!deleted) return { Name: name, State: 'ACTIVE' };
        return reads <= readsUntilGone ? { Name: name, State: 'DELETING' } : undefined;
      },
    },
  };
}

describe('removeMeshPeerings', () => {
  it('returns only once Consul has removed the deleted peering, not when it is merely marked DELETING', async () => {
    const { consul, calls } = consulWith(3);
    const result = await removeMeshPeerings(plan, undefined, { consul: async () => consul as never, pauseMs: 0 });
    expect(result).toEqual({ peerings: ['east'] });
    expect(calls).toEqual(['delete east', 'read east', 'read east', 'read east', 'read east']);
  });

  it('gives up after its bound when the peering never goes (the peer cannot be told): the teardown goes on', async () => {
    const { consul, calls } = consulWith(Number.POSITIVE_INFINITY);
    await expect(removeMeshPeerings(plan, undefined, { consul: async () => consul as never, pauseMs: 0 })).resolves.toEqual({ peerings: ['east'] });
    expect(calls.filter((c) => c.startsWith('read')).length).toBe(100);
  });

  it('does nothing when the servers are gone', async () => {
    const { consul, calls } = consulWith(0);
    const result = await removeMeshPeerings({ ...plan, stages: { ...plan.stages, servers: [] } }, undefined, { consul: async () => consul as never });
    expect(result).toEqual({ peerings: [] });
    expect(calls).toEqual([]);
  });
});
