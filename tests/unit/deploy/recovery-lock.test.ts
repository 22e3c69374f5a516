import { fakeSsm } from './fake-ssm';
import { datacenterMarkerKey } from '../../../layers/deploy/config-entries';
import { storeSpecCopy } from '../../../layers/deploy/spec-copy';
import { loadMeshSpec } from '../../../layers/domain/spec/load';
import { recoverDatacenter, type RecoveryConsul, type RecoveryDeps } from '../../../layers/recovery/restore';
import { RecordingLogger, RecordingMetrics } from '../churn/recording';

const spec = loadMeshSpec('examples/mesh.yaml');
const DEPLOY = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:reference-mesh-a1b2c3d4e5f6-20250304050607-k3x9q0';

/** A new datacenter: a leader, an empty KV; every write is recorded (none is expected here). */
function freshConsul(writes: string[]): RecoveryConsul {
  const refuse = (what: string) => async () => {
    writes.push(what);
    throw new Error(`${what} was not expected`);
  };
  return {
    leader: async () => '10.0.0.4:8300',
    kvGet: async () => undefined,
    kvPut: refuse('kvPut'),
    readPolicyByName: async () => undefined,
    createPolicy: refuse('createPolicy'),
    updatePolicy: refuse('updatePolicy'),
    readToken: async () => undefined,
    createToken: refuse('createToken'),
    updateToken: refuse('updateToken'),
    deleteToken: refuse('deleteToken'),
    getConfigEntry: async () => undefined,
    putConfigEntry: refuse('putConfigEntry'),
    kvDelete: refuse('kvDelete'),
    saveSnapshot: refuse('saveSnapshot'),
    restoreSnapshot: refuse('restoreSnapshot'),
  };
}

describe('the restore of a fresh datacenter and the mesh lock', () => {
  it('waits for the next tick while a deployment holds the lock, and writes nothing', async () => {
    const ssm = fakeSsm();
    await storeSpecCopy(spec, { ssm });
    ssm.parameters.set('/consul-mesh/reference-mesh/lock', JSON.stringify({ holder: DEPLOY, expiresAt: Date.now() + 3_600_000, acquiredAt: Date.now() }));
    const writes: string[] = [];
    let reconciled = false;
    const logger = new RecordingLogger();
    const deps: RecoveryDeps = {
      meshName: spec.name,
      ssm,
      consul: freshConsul(writes),
      holders: { isRunning: async () => true },
      reconcile: async () => {
        reconciled = true;
        throw new Error('no reconcile expected');
      },
      publish: async () => undefined,
      logger,
      metrics: new RecordingMetrics(),
    };

    const result = await recoverDatacenter(deps);

    expect(result.status).toBe('deferred');
    // The deferral logs the lock's refusal as the error it is (name, message, stack), not its message alone.
    const deferral = logger.lines.find((line) => line.message.includes('restore deferred'));
    expect(deferral?.attributes.error).toEqual(expect.objectContaining({ name: 'ConcurrentOperation', message: expect.stringMatching(/held by deployment/) }));
    expect(deferral?.attributes.error).toBeInstanceOf(Error);
    expect(result.status === 'deferred' && result.reason).toMatch(/held by deployment d-20250304050607-k3x9q0/);
    expect({ writes, reconciled }).toEqual({ writes: [], reconciled: false });
    expect(JSON.parse(ssm.parameters.get('/consul-mesh/reference-mesh/lock')!).holder).toBe(DEPLOY);
  });

  it('does nothing while the marker is there (one KV read)', async () => {
    const writes: string[] = [];
    const consul = { ...freshConsul(writes), kvGet: async (key: string) => (key === datacenterMarkerKey(spec) ? { value: '{}', modifyIndex: 9 } : undefined) };
    const result = await recoverDatacenter({
      meshName: spec.name,
      ssm: fakeSsm(),
      consul,
      reconcile: async () => {
        throw new Error('no reconcile expected');
      },
      publish: async () => undefined,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
    expect(result).toEqual({ status: 'intact' });
    expect(writes).toEqual([]);
  });
});
