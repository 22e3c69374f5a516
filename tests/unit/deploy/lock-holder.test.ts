import { fakeSsm } from './fake-ssm';
import { acquireLock, describeLockHolder, RECOVERY_LOCK_HOLDER } from '../../../layers/deploy/lock';
import { ConcurrentOperationError } from '../../../layers/errors';

const ACQUIRED = Date.parse('2025-03-04T05:06:08Z');
const EXPIRES = ACQUIRED + 3 * 3600_000;
const DEPLOY = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:shop-a1b2c3d4e5f6-20250304050607-k3x9q0';
const ROLLOUT = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-rollout-service:users-20250304050607-abc123';

describe('the lock error names the holder, since when, and how to end it', () => {
  it('names a deployment by its id and execution, and says how to cancel it with meshctl', () => {
    expect(describeLockHolder('/consul-mesh/shop/lock', { holder: DEPLOY, expiresAt: EXPIRES, acquiredAt: ACQUIRED })).toBe(
      `deployment d-20250304050607-k3x9q0 (execution ${DEPLOY}, since 2025-03-04T05:06:08.000Z). Wait for it to end, or cancel it: meshctl cancel d-20250304050607-k3x9q0`,
    );
  });

  it('names a rollout by its id and service, and says how to cancel it with meshctl', () => {
    expect(describeLockHolder('/consul-mesh/shop/rollouts/users/lock', { holder: ROLLOUT, expiresAt: EXPIRES, acquiredAt: ACQUIRED })).toBe(
      `rollout r-20250304050607-abc123 of service users (execution ${ROLLOUT}, since 2025-03-04T05:06:08.000Z). Wait for it to end, or cancel it: meshctl cancel r-20250304050607-abc123`,
    );
  });

  it.each([
    ['rotation', 'rotate-secret', 's-20250304050607-abc123'],
    ['teardown', 'destroy-mesh', 'x-20250304050607-abc123'],
  ])('names a %s by its id (not as a deployment), and says how to cancel it with meshctl', (kind, machine, id) => {
    const holder = `arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-${machine}:${id}`;
    expect(describeLockHolder('/consul-mesh/shop/lock', { holder, expiresAt: EXPIRES, acquiredAt: ACQUIRED })).toBe(
      `${kind} ${id} (execution ${holder}, since 2025-03-04T05:06:08.000Z). Wait for it to end, or cancel it: meshctl cancel ${id}`,
    );
  });

  it('names an execution of another machine by its ARN, stopped through Step Functions', () => {
    const holder = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-rotate-secret:by-hand';
    expect(describeLockHolder('/consul-mesh/shop/lock', { holder, expiresAt: EXPIRES })).toBe(
      `an execution of consul-mesh-dev-rotate-secret (execution ${holder}). Wait for it to end, or stop it: aws stepfunctions stop-execution --execution-arn ${holder} (its locks are released once it has stopped)`,
    );
  });

  it('names an execution of another name by its ARN, cancelled through its state machine', () => {
    const holder = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:by-hand';
    expect(describeLockHolder('/consul-mesh/shop/lock', { holder, expiresAt: EXPIRES })).toBe(
      `a deployment (execution ${holder}). Wait for it to end, or cancel it: meshctl cancel ${holder} --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:consul-mesh-dev-deploy-mesh`,
    );
  });

  it('names a holder that is no execution, and when the lock expires', () => {
    expect(describeLockHolder('/consul-mesh/shop/lock', { holder: 'ops-maintenance', expiresAt: EXPIRES, acquiredAt: ACQUIRED })).toBe(
      '"ops-maintenance" (since 2025-03-04T05:06:08.000Z), which is no execution: it is free once it expires at 2025-03-04T08:06:08.000Z, or delete the parameter /consul-mesh/shop/lock once that operation has ended',
    );
  });

  it('names the restore of a Consul datacenter and says to retry once it is done', async () => {
    const ssm = fakeSsm(new Map([['/consul-mesh/shop/lock', JSON.stringify({ holder: RECOVERY_LOCK_HOLDER, expiresAt: EXPIRES, acquiredAt: ACQUIRED })]]));
    const refused = acquireLock('/consul-mesh/shop/lock', DEPLOY, { ssm, now: () => ACQUIRED + 1000, holders: { isRunning: async () => true } });
    await expect(refused).rejects.toThrow(
      "the lock /consul-mesh/shop/lock is held by the restore of the mesh's Consul datacenter after every server was lost (since 2025-03-04T05:06:08.000Z): " +
        'it re-creates the ACL tokens, config entries and the deployed spec, then reconciles the catalog, in under a minute; retry then',
    );
  });

  it('is what acquireLock refuses with, as ConcurrentOperation, while the holder runs', async () => {
    const ssm = fakeSsm(new Map([['/consul-mesh/shop/lock', JSON.stringify({ holder: DEPLOY, expiresAt: EXPIRES, acquiredAt: ACQUIRED })]]));
    const refused = acquireLock('/consul-mesh/shop/lock', 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:other', {
      ssm,
      now: () => ACQUIRED + 60_000,
      holders: { isRunning: async () => true },
    });
    await expect(refused).rejects.toThrow(ConcurrentOperationError);
    await expect(refused).rejects.toThrow(
      `the lock /consul-mesh/shop/lock is held by deployment d-20250304050607-k3x9q0 (execution ${DEPLOY}, since 2025-03-04T05:06:08.000Z). Wait for it to end, or cancel it: meshctl cancel d-20250304050607-k3x9q0`,
    );
  });
});
