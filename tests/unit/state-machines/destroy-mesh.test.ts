import { lambdaError, runAsl, type Json, type TaskHandler } from './asl-runner';

/**
 * Every path of state-machines/destroy-mesh.asl.json, executed with scripted step functions: the stages in reverse
 * order with their drain loops, Consul not ready retried, a failure caught in each stage (the lock released by
 * RecordFailure), and a drain loop that runs out of rounds.
 */
const plan = {
  mesh: 'shop',
  destroyId: 'x-1',
  purge: false,
  lockName: '/consul-mesh/shop/lock',
  lockHolder: 'exec',
  pollSeconds: 0,
  maxRounds: 3,
  stages: { ingress: [], services: [], servers: [] },
  clusters: [],
  families: [],
};
const input = { destroyId: 'x-1', mesh: 'shop', purge: false, spec: null, settings: { pollSeconds: 0, maxRounds: 3 } };

/** Each stage is drained on its second round; the clusters are empty on the second cleanup round. */
function happy(overrides: Record<string, TaskHandler> = {}): Record<string, TaskHandler> {
  return {
    destroyPrepare: () => plan,
    destroyStage: (i: Json) => {
      const round = (i.previous?.round ?? 0) + 1;
      return { stage: i.stage, round, done: round >= 2, scaled: [], deleted: round >= 2 ? [`${i.stage}/x`] : [], remaining: round >= 2 ? [] : [{ id: `${i.stage}/x`, tasks: 1 }] };
    },
    destroyConsul: (i: Json) => (i.phase === 'peerings' ? { peerings: [] } : { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [] }),
    destroyCleanup: (i: Json) => {
      const round = (i.previous?.round ?? 0) + 1;
      return { round, done: round >= 2, clusters: [], busyClusters: round >= 2 ? [] : ['c'], taskDefinitions: [], parameters: [], keptParameters: [], repositories: [], keptRepositories: [] };
    },
    destroyFinish: (i: Json) => (i.failedStage ? { error: i.error.Error, cause: `${i.failedStage}: ${i.error.Error}` } : { mesh: 'shop', stages: [i.ingress.stage, i.services.stage, i.servers.stage], cleanupRounds: i.cleanup.round }),
    ...overrides,
  };
}

describe('the destroy state machine', () => {
  it('removes the ingress, the service clusters, Consul’s leftovers, the servers, then cleans up, each drain loop until done', async () => {
    const run = await runAsl('destroy-mesh.asl.json', input, happy());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ mesh: 'shop', stages: ['ingress', 'services', 'servers'], cleanupRounds: 2 });
    const order = ['Prepare', 'IngressRemove', 'ServicesRemove', 'RemoveFromConsul', 'ServersRemove', 'Cleanup', 'Finish', 'Destroyed'].map((s) => run.states.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const loop of ['IngressRemove', 'ServicesRemove', 'ServersRemove', 'Cleanup']) expect({ loop, rounds: run.states.filter((s) => s === loop).length }).toEqual({ loop, rounds: 2 });
  });

  it('deletes the mesh\'s cluster peerings first, before the ingress and the service clusters (with their mesh gateway) go', async () => {
    const phases: string[] = [];
    const run = await runAsl(
      'destroy-mesh.asl.json',
      input,
      happy({
        destroyConsul: (i: Json) => {
          phases.push(i.phase ?? 'consul');
          return i.phase === 'peerings' ? { peerings: ['west'] } : { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [], peerings: ['west'] };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(phases).toEqual(['peerings', 'consul']);
    const order = ['Prepare', 'RemovePeerings', 'IngressRemove', 'ServicesRemove', 'RemoveFromConsul'].map((s) => run.states.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('hands Finish the peerings the first step deleted, which the Consul step finds gone', async () => {
    let finished: Json;
    const run = await runAsl(
      'destroy-mesh.asl.json',
      input,
      happy({
        destroyConsul: (i: Json) => (i.phase === 'peerings' ? { peerings: ['north'] } : { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [], peerings: [] }),
        destroyFinish: (i: Json) => {
          finished = i;
          return { mesh: 'shop' };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(finished.peerings).toEqual({ peerings: ['north'] });
  });

  it('records a failure to delete the peerings as the prepare stage\'s, with the lock released', async () => {
    let recorded: Json;
    const run = await runAsl(
      'destroy-mesh.asl.json',
      input,
      happy({
        destroyConsul: (i: Json) => {
          if (i.phase === 'peerings') throw lambdaError('ConsulAclDenied', 'Permission denied: token lacks peering:write');
          return { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [] };
        },
        destroyFinish: (i: Json) => {
          recorded = i;
          return { error: i.error.Error, cause: 'recorded' };
        },
      }),
    );
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: 'ConsulAclDenied' });
    expect(run.states).not.toContain('IngressRemove');
    expect(recorded).toMatchObject({ failedStage: 'prepare', error: { Error: 'ConsulAclDenied' } });
  });

  it('retries the Consul step while Consul has no leader or is unreachable', async () => {
    let calls = 0;
    const run = await runAsl(
      'destroy-mesh.asl.json',
      input,
      happy({
        destroyConsul: (i: Json) => {
          if (i.phase === 'peerings') return { peerings: [] };
          calls += 1;
          if (calls === 1) throw lambdaError('NoConsulLeader', 'no leader');
          if (calls === 2) throw lambdaError('ConsulUnavailable', 'down');
          return { registrations: [], nodes: [], stillRunning: [], configEntries: [], kv: [] };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
  });

  it.each([
    ['prepare', 'destroyPrepare', 'ConcurrentOperation'],
    ['ingress', 'destroyStage', 'InvalidParameterException'],
    ['consul', 'destroyConsul', 'ConsulAclDenied'],
    ['cleanup', 'destroyCleanup', 'AccessDeniedException'],
  ])('catches a failure in the %s stage, releases the lock through RecordFailure and fails with its error', async (stage, fn, error) => {
    let recorded: Json;
    const run = await runAsl(
      'destroy-mesh.asl.json',
      input,
      happy({
        [fn]: (i: Json) => {
          if (i.phase === 'peerings' && stage !== 'prepare') return { peerings: [] };
          throw lambdaError(error, 'no');
        },
        destroyFinish: (i: Json) => {
          recorded = i;
          return { error: i.error.Error, cause: 'recorded' };
        },
      }),
    );
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error });
    expect(run.states).toEqual(expect.arrayContaining([`Failed:${stage}`, 'RecordFailure']));
    expect(recorded).toMatchObject({ mesh: 'shop', failedStage: stage, error: { Error: error }, executionId: expect.any(String) });
  });

  it('ends a drain loop after its rounds with StageTimedOut, naming the tasks still stopping', async () => {
    let recorded: Json;
    const run = await runAsl(
      'destroy-mesh.asl.json',
      input,
      happy({
        destroyStage: (i: Json) => ({ stage: i.stage, round: (i.previous?.round ?? 0) + 1, done: false, scaled: [], deleted: [], remaining: [{ id: 'ingress/gw', tasks: 2 }] }),
        destroyFinish: (i: Json) => {
          recorded = i.error;
          return { error: i.error.Error, cause: 'timed out' };
        },
      }),
    );
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: 'StageTimedOut' });
    expect(run.states.filter((s) => s === 'IngressRemove')).toHaveLength(3);
    expect(recorded).toEqual({ Error: 'StageTimedOut', Cause: 'ingress not drained after 3 rounds: tasks still stopping in [{"id":"ingress/gw","tasks":2}]' });
  });
});
