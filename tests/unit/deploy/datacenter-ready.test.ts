import { fakeSsm } from './fake-ssm';
import { acquireDeploymentLock, ensureDatacenterRestored } from '../../../layers/deploy/datacenter-ready';
import { RECOVERY_LOCK_HOLDER } from '../../../layers/deploy/lock';
import { storeSpecCopy } from '../../../layers/deploy/spec-copy';
import { loadMeshSpec } from '../../../layers/domain/spec/load';
import { ConsulAclDeniedError, ConsulUnavailableError } from '../../../layers/errors';

const spec = loadMeshSpec('examples/mesh.yaml');
const MARKER = 'consul-mesh/reference-mesh/datacenter';

/** Consul as the Plan step sees it with the orchestrator's token. */
function consul(state: { leader: string | Error; kv?: Record<string, string>; unknownToken?: boolean }) {
  return {
    leader: async () => {
      if (state.leader instanceof Error) throw state.leader;
      return state.leader;
    },
    kvGet: async (key: string) => {
      if (state.unknownToken) throw new ConsulAclDeniedError(`Consul refused the ACL token for GET /v1/kv/${key}: ACL not found`);
      const value = state.kv?.[key];
      return value === undefined ? undefined : { value, modifyIndex: 1 };
    },
  };
}

describe('a deployment into a datacenter that lost every server', () => {
  it('waits (DatacenterRecovering) while a leader exists without the marker and the mesh was deployed before', async () => {
    const ssm = fakeSsm();
    await storeSpecCopy(spec, { ssm });
    await expect(ensureDatacenterRestored(spec, { consul: consul({ leader: '10.0.0.4:8300', unknownToken: true }), ssm })).rejects.toMatchObject({
      name: 'DatacenterRecovering',
      message: expect.stringContaining('not restored yet'),
    });
    await expect(ensureDatacenterRestored(spec, { consul: consul({ leader: '10.0.0.4:8300', kv: {} }), ssm })).rejects.toMatchObject({ name: 'DatacenterRecovering' });
  });

  it('goes on once the marker is back, for a first deployment, and while no leader exists yet', async () => {
    const deployed = fakeSsm();
    await storeSpecCopy(spec, { ssm: deployed });
    await expect(ensureDatacenterRestored(spec, { consul: consul({ leader: '10.0.0.4:8300', kv: { [MARKER]: '{}' } }), ssm: deployed })).resolves.toBeUndefined();
    await expect(ensureDatacenterRestored(spec, { consul: consul({ leader: '10.0.0.4:8300', unknownToken: true }), ssm: fakeSsm() })).resolves.toBeUndefined();
    await expect(ensureDatacenterRestored(spec, { consul: consul({ leader: '' }), ssm: deployed })).resolves.toBeUndefined();
    await expect(ensureDatacenterRestored(spec, { consul: consul({ leader: new ConsulUnavailableError('unreachable') }), ssm: deployed })).resolves.toBeUndefined();
  });

  it('waits while the restore holds the mesh lock, and is refused as before by any other holder', async () => {
    const lock = '/consul-mesh/reference-mesh/lock';
    const holders = { isRunning: async () => true };
    const restoring = fakeSsm(new Map([[lock, JSON.stringify({ holder: RECOVERY_LOCK_HOLDER, expiresAt: Date.now() + 60_000, acquiredAt: Date.now() })]]));
    await expect(acquireDeploymentLock(spec, lock, 'arn:aws:states:us-east-1:1:execution:m:e', { ssm: restoring, holders })).rejects.toMatchObject({
      name: 'DatacenterRecovering',
      cause: expect.objectContaining({ name: 'ConcurrentOperation' }),
    });
    const deploying = fakeSsm(new Map([[lock, JSON.stringify({ holder: 'arn:aws:states:us-east-1:1:execution:m:other', expiresAt: Date.now() + 60_000, acquiredAt: Date.now() })]]));
    await expect(acquireDeploymentLock(spec, lock, 'arn:aws:states:us-east-1:1:execution:m:e', { ssm: deploying, holders })).rejects.toMatchObject({ name: 'ConcurrentOperation' });
    const free = fakeSsm();
    await acquireDeploymentLock(spec, lock, 'arn:aws:states:us-east-1:1:execution:m:e', { ssm: free, holders });
    expect(JSON.parse(free.parameters.get(lock)!)).toMatchObject({ holder: 'arn:aws:states:us-east-1:1:execution:m:e' });
  });
});
