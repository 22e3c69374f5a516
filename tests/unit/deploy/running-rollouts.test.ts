import { rolloutRefusal, runningRollouts } from '../../../layers/deploy/plan';

const ROLLOUT = 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-rollout-service:users-20250304050607-abc123';

/** SSM holding the given rollout locks (service → holder), answering GetParametersByPath. */
function ssmWith(locks: Record<string, string>) {
  return {
    getParametersByPath: async () =>
      Object.entries(locks).map(([service, holder]) => ({
        Name: `/consul-mesh/shop/rollouts/${service}/lock`,
        Value: JSON.stringify({ holder, expiresAt: Date.now() + 60_000 }),
      })),
  };
}

describe('a deployment or teardown refused while a rollout runs', () => {
  it('names each running rollout by its service and, when its holder is a rollout execution, its id', async () => {
    const rollouts = await runningRollouts({ name: 'shop' }, { ssm: ssmWith({ users: ROLLOUT, todos: 'by-hand' }), holders: { isRunning: async () => true } });
    expect(rollouts).toEqual([{ service: 'users', rolloutId: 'r-20250304050607-abc123' }, { service: 'todos' }]);
  });

  it('leaves out a rollout whose execution has ended (its lock is taken over)', async () => {
    expect(await runningRollouts({ name: 'shop' }, { ssm: ssmWith({ users: ROLLOUT }), holders: { isRunning: async () => false } })).toEqual([]);
  });

  it('says how to cancel the rollouts it can name, and only waits for the others', () => {
    expect(rolloutRefusal('shop', [{ service: 'users', rolloutId: 'r-20250304050607-abc123' }], 'deploy once it has ended')).toBe(
      'a rollout of users is running in mesh "shop": deploy once it has ended, or cancel it: meshctl cancel r-20250304050607-abc123',
    );
    expect(rolloutRefusal('shop', [{ service: 'todos' }], 'deploy once it has ended')).toBe('a rollout of todos is running in mesh "shop": deploy once it has ended');
  });
});
