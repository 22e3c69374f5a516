import { renderDestroyOutcome, renderDestroyStage } from '../../../cli/destroy-text';
import type { DestroyView } from '../../../layers/api/contract';

/** The summary `meshctl destroy` prints once its teardown has succeeded. */
function view(peerings?: string[]): DestroyView {
  return {
    id: 'x-20261206180000-abcdef',
    mesh: 'west-mesh',
    purge: false,
    status: 'SUCCEEDED',
    executionStatus: 'SUCCEEDED',
    execution: 'x-20261206180000-abcdef',
    stages: [],
    summary: {
      mesh: 'west-mesh',
      nothingToDo: false,
      removed: {
        services: ['consul-server/consul-server'],
        clusters: ['consul-server'],
        taskDefinitions: 1,
        registrations: 0,
        configEntries: [],
        kv: 1,
        parameters: 3,
        repositories: [],
        ...(peerings ? { peerings } : {}),
      },
      kept: { parameters: [], repositories: [] },
    },
  };
}

describe('renderDestroyOutcome', () => {
  it('lists the cluster peerings the teardown deleted', () => {
    const { out, err } = renderDestroyOutcome(view(['east', 'north']));
    expect(err).toEqual([]);
    expect(out).toContain('  peerings         east, north');
  });

  it('prints no peerings line for a mesh that had none', () => {
    for (const peerings of [undefined, []]) expect(renderDestroyOutcome(view(peerings)).out.some((line) => line.includes('peerings'))).toBe(false);
  });
});

describe('the stages meshctl destroy prints', () => {
  it('say that the first one deletes the cluster peerings (RemovePeerings runs in it, before the gateways go)', () => {
    expect(renderDestroyStage({ name: 'prepare', state: 'done' })).toBe('✓ prepare  take the mesh lock, find what the mesh has, delete its cluster peerings');
  });
});
