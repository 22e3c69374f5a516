import { lazy } from '../../layers/handler-kit';
import { runWithEnvironment } from '@consul-mesh/local-cloud';

/** `lazy`: a handler's dependencies, built once per container (one function in one region). */
describe('lazy', () => {
  it('builds once for a container and again only after a failed build', () => {
    let builds = 0;
    const deps = lazy(() => {
      builds += 1;
      if (builds === 1) throw new Error('bad environment');
      return { n: builds };
    });
    const container = { AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'consul-mesh-local-reconcile' };
    expect(() => runWithEnvironment(container, deps)).toThrow('bad environment');
    const first = runWithEnvironment(container, deps);
    expect(runWithEnvironment(container, deps)).toBe(first);
    expect(builds).toBe(2);
  });

  it('gives the same function in another region, and another function sharing the module, their own value', () => {
    const deps = lazy(() => ({ region: process.env.AWS_REGION, fn: process.env.AWS_LAMBDA_FUNCTION_NAME }));
    const east = runWithEnvironment({ AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'consul-mesh-local-reconcile' }, deps);
    const west = runWithEnvironment({ AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'consul-mesh-local-reconcile' }, deps);
    const other = runWithEnvironment({ AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'consul-mesh-local-taskStateChange' }, deps);
    expect([east, west, other]).toEqual([
      { region: 'us-east-1', fn: 'consul-mesh-local-reconcile' },
      { region: 'eu-west-1', fn: 'consul-mesh-local-reconcile' },
      { region: 'us-east-1', fn: 'consul-mesh-local-taskStateChange' },
    ]);
    expect(runWithEnvironment({ AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'consul-mesh-local-reconcile' }, deps)).toBe(west);
  });
});
