import { lambdaError, loadAsl, runAsl, type Json, type TaskHandler } from './asl-runner';

const validator = require('asl-validator') as (definition: unknown) => { isValid: boolean };

/**
 * Paths of state-machines/rotate-secret.asl.json, executed with scripted step functions: the CA's stages (each a store
 * and a wait loop, no Consul activation or retirement), the gossip key's unchanged path, and a CA stage that fails
 * after earlier ones were stored (recorded with what SSM holds).
 */
const FILE = 'rotate-secret.asl.json';
const input = { rotationId: 's-20261206070000-abcdef', request: { secret: 'ca' }, settings: { pollSeconds: 0, maxRounds: 5 } };

function prepared(kind: 'ca' | 'gossip-key') {
  return { rotationId: 's-1', mesh: 'm', secret: kind, kind, parameter: '/p', stagingParameter: '/s', targets: [], steps: [], lockName: '/l', lockHolder: 'exec', pollSeconds: 0, maxRounds: 5 };
}

function handlers(kind: 'ca' | 'gossip-key', overrides: Record<string, TaskHandler> = {}): Record<string, TaskHandler> {
  return {
    rotatePrepare: () => prepared(kind),
    rotateActivate: () => ({ previousVersion: 1 }),
    // A CA stage: the first without `previous`, then stage + 1; five stages.
    rotateStore: (i: Json) => {
      if (i.activated) return { previousVersion: 1, version: 2, writtenAt: 1 };
      const stage = i.previous ? i.previous.stage + 1 : 0;
      return { previousVersion: 1, version: 2, writtenAt: 1, stage, stages: 5, last: stage === 4, ...(stage >= 3 ? { removed: 'old CA removed' } : {}) };
    },
    // Ready on the second round of each wait.
    rotateCheck: (i: Json) => ({ ready: i.previous.round >= 1, round: i.previous.round + 1, waitingFor: '', replaced: {} }),
    rotateRetire: () => ({ removed: 'old key removed' }),
    rotateFinish: (i: Json) => ({ removed: i.retired.removed, stage: i.stored.stage ?? null }),
    rotateRecordFailure: (i: Json) => ({ error: i.error.Error, cause: JSON.stringify({ step: i.step, stage: i.stored?.stage ?? null }) }),
    ...overrides,
  };
}

describe('the rotation state machine', () => {
  it('is valid ASL, JSONPath only', () => {
    const { definition } = loadAsl(FILE);
    expect(validator(structuredClone(definition)).isValid).toBe(true);
    expect(definition.QueryLanguage).toBeUndefined();
  });

  it('the CA: five stages, each stored then waited for, no Consul activation or retirement, then the lock released', async () => {
    const run = await runAsl(FILE, input, handlers('ca'));

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(run.output).toEqual({ removed: 'old CA removed', stage: 4 });
    expect(run.invoked.filter((f) => f !== 'rotateCheck')).toEqual(['rotatePrepare', 'rotateStore', 'rotateStore', 'rotateStore', 'rotateStore', 'rotateStore', 'rotateFinish']);
    expect(run.invoked.filter((f) => f === 'rotateCheck')).toHaveLength(10);
    expect(run.states.filter((s) => ['CaBegin', 'CaNext', 'CaDone', 'Activate', 'Store', 'Retire'].includes(s))).toEqual(['CaBegin', 'CaNext', 'CaNext', 'CaNext', 'CaNext', 'CaDone']);
  });

  it('the gossip key keeps its path: activate, store, wait, retire', async () => {
    const run = await runAsl(FILE, { ...input, request: { secret: 'gossip-key' } }, handlers('gossip-key'));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.invoked.filter((f) => f !== 'rotateCheck')).toEqual(['rotatePrepare', 'rotateActivate', 'rotateStore', 'rotateRetire', 'rotateFinish']);
    expect(run.output).toEqual({ removed: 'old key removed', stage: null });
  });

  it('a CA stage that fails after earlier ones were stored is recorded with what they stored', async () => {
    let stores = 0;
    const base = handlers('ca');
    const run = await runAsl(
      FILE,
      input,
      handlers('ca', {
        rotateStore: (i: Json) => {
          stores += 1;
          if (stores === 3) throw lambdaError('ConcurrentOperation', 'ca-cert written meanwhile');
          return base.rotateStore(i);
        },
      }),
    );

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ConcurrentOperation');
    expect(JSON.parse(run.cause!)).toEqual({ step: 'store', stage: 1 });
    expect(run.states).toContain('Failed:store-ca');
    expect(run.states).toContain('RecordFailureStored');
  });
});
