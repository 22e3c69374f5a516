import * as z from 'zod/mini';

/**
 * The HTTP API's Lambda REQUEST authorizer event, payload format 2.0 (API Gateway developer guide, "Working with
 * AWS Lambda authorizers for HTTP APIs"): the same checks as Powertools' `APIGatewayRequestAuthorizerEventV2Schema`
 * (@aws-lambda-powertools/parser/schemas/api-gatewayv2; tests/unit/api/authorizer-event.test.ts compares them), written
 * with zod's tree-shakable `zod/mini`. Powertools' schemas import `{ z } from 'zod'`, a namespace esbuild cannot
 * tree-shake, which put all of zod (445 KiB minified, with its 40 locales) in the authorizer's bundle, the function
 * API Gateway calls before every request.
 */
const StringArray = z.array(z.string());
const StringRecord = z.record(z.string(), z.string());
const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

const ClientCert = z.object({
  clientCertPem: z.string(),
  subjectDN: z.string(),
  issuerDN: z.string(),
  serialNumber: z.string(),
  validity: z.object({ notBefore: z.string(), notAfter: z.string() }),
});

const RequestAuthorizer = z.object({
  jwt: z.optional(z.object({ claims: z.record(z.string(), z.any()), scopes: z.nullable(StringArray) })),
  iam: z.optional(
    z.object({
      accessKey: z.optional(z.string()),
      accountId: z.optional(z.string()),
      callerId: z.optional(z.string()),
      principalOrgId: z.nullish(z.string()),
      userArn: z.optional(z.string()),
      userId: z.optional(z.string()),
      cognitoIdentity: z.nullish(z.object({ amr: StringArray, identityId: z.string(), identityPoolId: z.string() })),
    }),
  ),
  lambda: z.nullish(z.record(z.string(), z.any())),
});

const RequestContext = z.object({
  accountId: z.string(),
  apiId: z.string(),
  authorizer: z.optional(RequestAuthorizer),
  authentication: z.nullish(z.object({ clientCert: z.optional(ClientCert) })),
  domainName: z.string(),
  domainPrefix: z.string(),
  http: z.object({
    method: HttpMethod,
    path: z.string(),
    protocol: z.string(),
    sourceIp: z.union([z.ipv4(), z.ipv6()]),
    userAgent: z.string(),
  }),
  requestId: z.string(),
  routeKey: z.string(),
  stage: z.string(),
  time: z.string(),
  timeEpoch: z.number(),
});

export const AuthorizerEventSchema = z.object({
  version: z.literal('2.0'),
  type: z.literal('REQUEST'),
  routeArn: z.string(),
  identitySource: z.nullish(StringArray),
  routeKey: z.string(),
  rawPath: z.string(),
  rawQueryString: z.string(),
  cookies: z.optional(StringArray),
  headers: z.optional(StringRecord),
  queryStringParameters: z.optional(StringRecord),
  requestContext: RequestContext,
  pathParameters: z.nullish(StringRecord),
  stageVariables: z.nullish(StringRecord),
});
