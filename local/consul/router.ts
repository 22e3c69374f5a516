import type { Route } from './endpoint';
import { aclRoutes } from './endpoints/acl';
import { agentRoutes } from './endpoints/agent';
import { catalogRoutes } from './endpoints/catalog';
import { configRoutes } from './endpoints/config';
import { healthRoutes } from './endpoints/health';
import { intentionRoutes } from './endpoints/intentions';
import { kvRoutes } from './endpoints/kv';
import { operatorRoutes } from './endpoints/operator';
import { peeringRoutes } from './endpoints/peering';
import { snapshotRoutes } from './endpoints/snapshot';
import { statusRoutes } from './endpoints/status';
import { txnRoutes } from './endpoints/txn';

/** Every endpoint of the emulated HTTP API. */
export const CONSUL_ROUTES: readonly Route[] = [
  ...catalogRoutes,
  ...healthRoutes,
  ...kvRoutes,
  ...configRoutes,
  ...intentionRoutes,
  ...txnRoutes,
  ...statusRoutes,
  ...agentRoutes,
  ...aclRoutes,
  ...operatorRoutes,
  ...peeringRoutes,
  ...snapshotRoutes,
];

export type RouteMatch =
  | { readonly route: Route; readonly rest: string }
  | { readonly redirect: string }
  | undefined;

/**
 * Go `ServeMux` matching, as Consul registers its handlers: an exact pattern wins, then the longest subtree
 * pattern (ending in `/`) that prefixes the path; a path naming a subtree without its slash is redirected to it.
 */
export function matchRoute(path: string, routes: readonly Route[] = CONSUL_ROUTES): RouteMatch {
  const exact = routes.find((r) => r.pattern === path);
  if (exact) return { route: exact, rest: '' };
  let best: Route | undefined;
  for (const route of routes) {
    if (route.pattern.endsWith('/') && path.startsWith(route.pattern)) {
      if (!best || route.pattern.length > best.pattern.length) best = route;
    }
  }
  if (best) return { route: best, rest: path.slice(best.pattern.length) };
  if (routes.some((r) => r.pattern === `${path}/`)) return { redirect: `${path}/` };
  return undefined;
}
