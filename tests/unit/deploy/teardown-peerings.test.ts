import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MeshSpecSchema } from '../../../layers/domain/spec/schema';
import { peeringMark } from '../../../layers/deploy/peering';
import { finishDestroy, removeFromConsul, removeMeshPeerings, type DestroyPlan } from '../../../layers/deploy/teardown';

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
      async listPeerings() {
        return deleted ? [] : [{ Name: 'east', State: 'ACTIVE', Meta: peeringMark('west-mesh', spec.peers[0]!) }];
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

/**
 * A Consul holding `peerings` (name → Meta), each gone once deleted; the deployed spec in KV is `deployed`. `listPeerings`
 * answers 403 (`ConsulAclDenied`) when `listDenied`: the orchestrator's policy without a `peering` rule.
 */
function consulHolding(peerings: Record<string, Record<string, string> | null>, deployed: unknown, options: { listDenied?: boolean } = {}) {
  const held = new Map(Object.entries(peerings));
  const deleted: string[] = [];
  return {
    deleted,
    held,
    consul: {
      async kvGet() {
        return { key: 'consul-mesh/west-mesh/spec', value: JSON.stringify(deployed), modifyIndex: 1 };
      },
      async listPeerings() {
        if (options.listDenied) throw Object.assign(new Error('Permission denied: token lacks peering:read'), { name: 'ConsulAclDenied' });
        return [...held].map(([Name, Meta]) => ({ Name, State: 'ACTIVE', Meta }));
      },
      async deletePeering(name: string) {
        deleted.push(name);
        held.delete(name);
      },
      async readPeering(name: string) {
        return held.has(name) ? { Name: name, State: 'ACTIVE' } : undefined;
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

  it('deletes a peering marked as the mesh\'s that the deployed spec no longer names; an unmarked one and another mesh\'s stay', async () => {
    // A deployment stored the spec without `north` and stopped before its peering stage deleted it.
    const north = { name: 'north', mesh: 'north-mesh', region: 'eu-north-1', role: 'acceptor' as const };
    const { consul, deleted, held } = consulHolding(
      {
        east: peeringMark('west-mesh', spec.peers[0]!),
        north: peeringMark('west-mesh', north),
        'by-hand': null,
        'someone-else': { note: 'made without the orchestrator' },
        'other-mesh': peeringMark('south-mesh', north),
      },
      spec,
    );
    const result = await removeMeshPeerings(plan, undefined, { consul: async () => consul as never, pauseMs: 0 });
    expect(result).toEqual({ peerings: ['east', 'north'] });
    expect(deleted).toEqual(['east', 'north']);
    expect([...held.keys()]).toEqual(['by-hand', 'someone-else', 'other-mesh']);
  });

  it('deletes the marked peerings of a mesh whose deployed spec has no peers left, and reports only what Consul had', async () => {
    const { consul, deleted } = consulHolding({ east: peeringMark('west-mesh', spec.peers[0]!) }, { ...spec, peers: [] });
    await expect(removeMeshPeerings(plan, undefined, { consul: async () => consul as never, pauseMs: 0 })).resolves.toEqual({ peerings: ['east'] });
    expect(deleted).toEqual(['east']);
    // A second teardown (the servers still running) finds nothing of it and reports nothing.
    await expect(removeMeshPeerings(plan, undefined, { consul: async () => consul as never, pauseMs: 0 })).resolves.toEqual({ peerings: [] });
  });

  it('waits too for a marked peering already DELETING (an earlier attempt of the step deleted it), without reporting it again', async () => {
    const { consul, held, deleted } = consulHolding({ north: peeringMark('west-mesh', { mesh: 'north-mesh', region: 'eu-north-1', role: 'acceptor' }) }, { ...spec, peers: [] });
    const reads: string[] = [];
    let left = 2;
    const deletingConsul = {
      ...consul,
      async listPeerings() {
        return [...held].map(([Name, Meta]) => ({ Name, State: 'DELETING', Meta }));
      },
      async readPeering(name: string) {
        reads.push(name);
        left -= 1;
        return left >= 0 ? { Name: name, State: 'DELETING' } : undefined;
      },
    };
    await expect(removeMeshPeerings(plan, undefined, { consul: async () => deletingConsul as never, pauseMs: 0 })).resolves.toEqual({ peerings: [] });
    expect(deleted).toEqual([]);
    expect(reads).toEqual(['north', 'north', 'north']);
  });

  it('still deletes the spec\'s peers when Consul refuses to list the peerings (a policy without a peering rule)', async () => {
    const { consul, deleted } = consulHolding({ east: peeringMark('west-mesh', spec.peers[0]!) }, spec, { listDenied: true });
    await expect(removeMeshPeerings(plan, undefined, { consul: async () => consul as never, pauseMs: 0 })).resolves.toEqual({ peerings: ['east'] });
    expect(deleted).toEqual(['east']);
  });
});

describe('removeFromConsul', () => {
  it('deletes and reports a marked peering the deployed spec does not name, for a teardown whose first step did not', async () => {
    const { consul, deleted, held } = consulHolding({ east: peeringMark('west-mesh', spec.peers[0]!), 'by-hand': null }, { ...spec, peers: [] });
    const nothing = {
      async nodesByMeta() {
        return [];
      },
      async getConfigEntry() {
        return undefined;
      },
      async kvList() {
        return [];
      },
    };
    const removed = await removeFromConsul(plan, undefined, { consul: async () => ({ ...consul, ...nothing }) as never, ecs: { describeTasks: async () => [] } });
    expect(removed.peerings).toEqual(['east']);
    expect(deleted).toEqual(['east']);
    expect([...held.keys()]).toEqual(['by-hand']);
  });
});

describe('finishDestroy', () => {
  it('names the peerings the first step deleted, which the Consul step no longer finds, with those it found', async () => {
    const stage = (name: 'ingress' | 'services' | 'servers') => ({ stage: name, round: 1, done: true, scaled: [], deleted: [], remaining: [] });
    const summary = await finishDestroy(
      {
        plan,
        peerings: { peerings: ['east', 'north'] },
        ingress: stage('ingress'),
        services: stage('services'),
        consul: { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [], peerings: ['east'] },
        servers: stage('servers'),
        cleanup: { round: 1, done: true, clusters: [], busyClusters: [], taskDefinitions: [], parameters: [], keptParameters: [], repositories: [], keptRepositories: [] },
      },
      { ssm: { getParameter: async () => undefined, putParameter: async () => undefined, deleteParameter: async () => undefined } as never },
    );
    expect(summary.removed.peerings).toEqual(['east', 'north']);
    expect(summary.nothingToDo).toBe(false);
  });
});
