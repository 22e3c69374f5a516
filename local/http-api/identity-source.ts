/**
 * Identity sources of HTTP API authorizers: `$request.header.<name>` (case-insensitive),
 * `$request.querystring.<name>`, `$context.<variable>` and `$stageVariables.<name>`.
 * If any is missing or empty, API Gateway answers 401 without calling the authorizer.
 */
import type { ApiRequest } from './request';

export function resolveIdentitySource(source: string, request: ApiRequest, routeKey: string): string | undefined {
  const header = /^\$request\.header\.(.+)$/.exec(source);
  if (header) return request.headers[header[1].toLowerCase()];
  const query = /^\$request\.querystring\.(.+)$/.exec(source);
  if (query) return request.queryStringParameters[query[1]];
  const context: Record<string, string> = {
    '$context.routeKey': routeKey,
    '$context.httpMethod': request.method,
    '$context.path': request.rawPath,
    '$context.identity.sourceIp': request.sourceIp,
    '$context.stage': '$default',
  };
  // Stage variables do not exist locally (HTTP APIs deployed by Serverless use the $default stage without any).
  return context[source];
}

/** The values of all identity sources, or undefined when one is missing or empty. */
export function resolveIdentitySources(sources: readonly string[], request: ApiRequest, routeKey: string): string[] | undefined {
  const values = sources.map((source) => resolveIdentitySource(source, request, routeKey));
  return values.every((value): value is string => typeof value === 'string' && value !== '') ? values : undefined;
}
