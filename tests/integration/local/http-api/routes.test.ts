/**
 * Route selection follows API Gateway's priorities: literal segments over variables, the request's method over
 * ANY, a greedy {proxy+} after every other match, and $default last.
 */
import { buildRoutes, matchRoute } from '../../../../local/http-api';
import type { FunctionConfig, HttpApiEvent } from '../../../../local/serverless/model';

function fn(key: string, ...routeKeys: string[]): FunctionConfig {
  const events: HttpApiEvent[] = routeKeys.map((routeKey) => {
    if (routeKey === '$default') return { type: 'httpApi', method: 'ANY', path: '*', routeKey };
    const [method, path] = routeKey.split(' ');
    return { type: 'httpApi', method, path, routeKey };
  });
  return { key, events } as unknown as FunctionConfig;
}

const routes = buildRoutes({
  functions: [
    fn('literal', 'GET /deployments/latest'),
    fn('variable', 'GET /deployments/{id}', 'POST /deployments/{id}/cancel'),
    fn('any', 'ANY /deployments/{id}'),
    fn('greedy', 'GET /deployments/{proxy+}'),
    fn('fallback', '$default'),
  ],
});

const target = (method: string, path: string) => matchRoute(routes, method, path)?.route.functionKey;

describe('matchRoute', () => {
  it('prefers a literal segment to a path variable', () => {
    expect(target('GET', '/deployments/latest')).toBe('literal');
    expect(target('GET', '/deployments/d-1')).toBe('variable');
  });

  it('prefers the request method to ANY', () => {
    expect(target('DELETE', '/deployments/d-1')).toBe('any');
    expect(target('POST', '/deployments/d-1/cancel')).toBe('variable');
  });

  it('uses a greedy variable only when nothing more specific matches', () => {
    expect(matchRoute(routes, 'GET', '/deployments/d-1/stages/2')).toMatchObject({ route: { functionKey: 'greedy' }, pathParameters: { proxy: 'd-1/stages/2' } });
  });

  it('falls back to $default, and to no route without one', () => {
    expect(target('GET', '/mesh')).toBe('fallback');
    expect(matchRoute(routes.filter((route) => route.routeKey !== '$default'), 'GET', '/mesh')).toBeUndefined();
  });

  it('refuses two functions for the same route key', () => {
    expect(() => buildRoutes({ functions: [fn('a', 'GET /x'), fn('b', 'GET /x')] })).toThrow(/Duplicate route 'GET \/x'/);
  });
});
