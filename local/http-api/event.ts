/**
 * The Lambda events of an API Gateway HTTP API with payload format version 2.0: the route integration's event
 * and the REQUEST authorizer's event (API Gateway Developer Guide, "Create AWS Lambda proxy integrations for HTTP
 * APIs" and "AWS Lambda authorizers for HTTP APIs").
 */
import type { ApiRequest } from './request';
import { isTextContentType } from './request';

export interface ApiIdentity {
  readonly accountId: string;
  readonly apiId: string;
  readonly region: string;
  readonly requestId: string;
}

/** `requestContext.authorizer`: `{lambda: context}` for Lambda authorizers, `{jwt: {claims, scopes}}` for JWT ones. */
export type AuthorizerContext = { readonly lambda: Record<string, unknown> } | { readonly jwt: { readonly claims: Record<string, string>; readonly scopes: readonly string[] | null } };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** `12/Mar/2020:19:03:58 +0000`, the CLF-style `requestContext.time`. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD><path>`, what the authorizer's policy names. */
export function routeArn(request: ApiRequest, identity: ApiIdentity): string {
  return `arn:aws:execute-api:${identity.region}:${identity.accountId}:${identity.apiId}/$default/${request.method}${request.rawPath}`;
}

function requestContext(request: ApiRequest, identity: ApiIdentity, routeKey: string) {
  const domainName = request.headers.host ?? 'localhost';
  return {
    accountId: identity.accountId,
    apiId: identity.apiId,
    domainName,
    domainPrefix: domainName.split('.')[0],
    http: {
      method: request.method,
      path: request.rawPath,
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: request.headers['user-agent'] ?? '',
    },
    requestId: identity.requestId,
    routeKey,
    stage: '$default',
    time: requestTime(request.receivedAt),
    timeEpoch: request.receivedAt,
  };
}

/** The parts both events share; optional members are left out when empty, as API Gateway does. */
function common(request: ApiRequest, routeKey: string) {
  return {
    routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(request.cookies.length > 0 ? { cookies: [...request.cookies] } : {}),
    headers: { ...request.headers },
    ...(Object.keys(request.queryStringParameters).length > 0 ? { queryStringParameters: { ...request.queryStringParameters } } : {}),
  };
}

/** The event the route's function receives. */
export function buildHttpApiEvent(
  request: ApiRequest,
  identity: ApiIdentity,
  routeKey: string,
  pathParameters: Readonly<Record<string, string>>,
  authorizer?: AuthorizerContext,
) {
  const hasBody = request.body.length > 0;
  const text = isTextContentType(request.headers['content-type']);
  return {
    version: '2.0',
    ...common(request, routeKey),
    requestContext: { ...requestContext(request, identity, routeKey), ...(authorizer ? { authorizer } : {}) },
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters: { ...pathParameters } } : {}),
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

/** The event a REQUEST authorizer with payload format 2.0 receives. */
export function buildAuthorizerEvent(
  request: ApiRequest,
  identity: ApiIdentity,
  routeKey: string,
  pathParameters: Readonly<Record<string, string>>,
  identitySource: readonly string[],
) {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: routeArn(request, identity),
    identitySource: [...identitySource],
    ...common(request, routeKey),
    requestContext: requestContext(request, identity, routeKey),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters: { ...pathParameters } } : {}),
  };
}

/** The event a route's function receives (payload format 2.0). */
export type HttpApiEventV2 = ReturnType<typeof buildHttpApiEvent>;
/** The event a REQUEST authorizer receives (payload format 2.0). */
export type HttpApiAuthorizerEventV2 = ReturnType<typeof buildAuthorizerEvent>;
