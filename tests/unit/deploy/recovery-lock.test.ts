import { GetParameterCommand, GetParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { datacenterMarkerKey } from '../../../layers/deploy/config-entries';
import { storeSpecCopy } from '../../../layers/deploy/spec-copy';
import { loadMeshSpec } from '../../../layers/domain/spec/load';
import { recoverDatacenter, type RecoveryConsul, type RecoveryDeps } from '../../../layers/recovery/restore';
import { RecordingLogger, RecordingMetrics } from '../churn/recording';

const spec = loadMeshSpec('examples/mesh.yaml');
const DEPLOY = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:reference-mesh-a1b2c3d4e5f6-20250304050607-k3x9q0';

/** SSM with PutParameter's Overwrite rule, GetParameter and GetParameters. */
function fakeSsm() {
  const parameters = new Map<string, string>();
  const named = (name: string) => Object.assign(new Error(name), { name });
  return {
    parameters,
    async send(command: unknown): Promise<unknown> {
      if (command instanceof PutParameterCommand) {
        const { Name, Value, Overwrite } = command.input;
        if (parameters.has(Name!) && !Overwrite) throw named('ParameterAlreadyExists');
        parameters.set(Name!, Value!);
        return {};
      }
      if (command instanceof GetParameterCommand) {
        const value = parameters.get(command.input.Name!);
        if (value === undefined) throw named('ParameterNotFound');
        return { Parameter: { Name: command.input.Name, Value: value, Version: 1 } };
      }
      if (command instanceof GetParametersCommand) {
        return { Parameters: command.input.Names!.filter((n) => parameters.has(n)).map((n) => ({ Name: n, Value: parameters.get(n) })) };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
}

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
  };
}

describe('the restore of a fresh datacenter and the mesh lock', () => {
  it('waits for the next tick while a deployment holds the lock, and writes nothing', async () => {
    const ssm = fakeSsm();
    await storeSpecCopy(spec, { ssm });
    ssm.parameters.set('/consul-mesh/reference-mesh/lock', JSON.stringify({ holder: DEPLOY, expiresAt: Date.now() + 3_600_000, acquiredAt: Date.now() }));
    const writes: string[] = [];
    let reconciled = false;
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
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    };

    const result = await recoverDatacenter(deps);

    expect(result.status).toBe('deferred');
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
