/**
 * The routes of an API Gateway HTTP API, from the `httpApi` events of `serverless.yml`, and how a request picks
 * one. API Gateway prefers the most specific match: literal path segments over `{variables}`, a route for the
 * request's method over an `ANY` route, any route over a greedy `{proxy+}` one, and `$default` last.
 */
import type { HttpApiEvent, ServerlessConfig } from '../serverless/model';

export interface Route {
  readonly routeKey: string;
  readonly method: string;
  /** `/items/{id}`; `*` for `$default`. */
  readonly path: string;
  readonly functionKey: string;
  readonly authorizer?: HttpApiEvent['authorizer'];
  /** Path segments; a `{name}` segment is a variable, a trailing `{name+}` is greedy. */
  readonly segments: readonly string[];
}

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** Every `httpApi` event of every function; two functions claiming one route key is an error, as in osls. */
export function buildRoutes(config: Pick<ServerlessConfig, 'functions'>): Route[] {
  const routes = new Map<string, Route>();
  for (const fn of config.functions) {
    for (const event of fn.events) {
      if (event.type !== 'httpApi') continue;
      if (routes.has(event.routeKey)) throw new Error(`Duplicate route '${event.routeKey}' (function ${fn.key})`);
      const segments = event.path === '*' ? [] : event.path.split('/').slice(1);
      routes.set(event.routeKey, { routeKey: event.routeKey, method: event.method, path: event.path, functionKey: fn.key, authorizer: event.authorizer, segments });
    }
  }
  return [...routes.values()];
}

const variableName = (segment: string) => /^\{([^}+]+)\+?\}$/.exec(segment)?.[1];
const isGreedy = (segment: string | undefined) => segment !== undefined && /^\{[^}]+\+\}$/.test(segment);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchPath(route: Route, parts: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  const { segments } = route;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (isGreedy(segment) && i === segments.length - 1) {
      // A greedy variable takes the rest of the path, and at least one segment of it.
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      parameters[variableName(segment)!] = decode(rest.join('/'));
      return parameters;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    const name = variableName(segment);
    if (name) {
      if (part === '') return undefined;
      parameters[name] = decode(part);
    } else if (segment !== part) {
      return undefined;
    }
  }
  return parts.length === segments.length ? parameters : undefined;
}

/** Lower is more specific: greedy routes after the others, then segment by segment literal before variable, then exact method before ANY. */
function specificity(route: Route, method: string): number[] {
  const greedy = isGreedy(route.segments[route.segments.length - 1]) ? 1 : 0;
  return [greedy, ...route.segments.map((segment) => (variableName(segment) ? 1 : 0)), route.method === method ? 0 : 1];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The route a request takes, or undefined (API Gateway then answers 404 `{"message":"Not Found"}`). */
export function matchRoute(routes: readonly Route[], method: string, rawPath: string): RouteMatch | undefined {
  const parts = rawPath.split('/').slice(1);
  const candidates: { route: Route; pathParameters: Record<string, string> }[] = [];
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    if (route.method !== method && route.method !== 'ANY') continue;
    const pathParameters = matchPath(route, parts);
    if (pathParameters) candidates.push({ route, pathParameters });
  }
  candidates.sort((a, b) => compare(specificity(a.route, method), specificity(b.route, method)));
  if (candidates[0]) return candidates[0];
  const fallback = routes.find((route) => route.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}
