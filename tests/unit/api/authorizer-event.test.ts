import { APIGatewayRequestAuthorizerEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { AuthorizerEventSchema } from '../../../layers/api/authorizer-event';

/** A payload 2.0 REQUEST authorizer event as API Gateway sends it (developer guide's example, with a client cert). */
const EVENT = {
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/mesh',
  identitySource: ['Bearer local-dev-token-change-me'],
  routeKey: 'GET /mesh',
  rawPath: '/mesh',
  rawQueryString: 'watch=1',
  cookies: ['a=1'],
  headers: { authorization: 'Bearer local-dev-token-change-me', host: 'api.example.com' },
  queryStringParameters: { watch: '1' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'abcdef123',
    authentication: {
      clientCert: {
        clientCertPem: 'CERT_CONTENT',
        subjectDN: 'www.example.com',
        issuerDN: 'Example issuer',
        serialNumber: 'a1:a1:a1:a1',
        validity: { notBefore: 'May 28 12:30:02 2019 GMT', notAfter: 'Aug  5 09:36:04 2021 GMT' },
      },
    },
    domainName: 'api.example.com',
    domainPrefix: 'api',
    http: { method: 'GET', path: '/mesh', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'meshctl' },
    requestId: 'id',
    routeKey: 'GET /mesh',
    stage: '$default',
    time: '12/Mar/2020:19:03:58 +0000',
    timeEpoch: 1583348638390,
  },
  pathParameters: { id: 'x' },
  stageVariables: null,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutations reach into any field of a plain JSON event
type Json = any;
type Mutation = [string, (event: Json) => void];

/** Each one changes one field: the two schemas must agree on every result. */
const MUTATIONS: Mutation[] = [
  ['as sent', () => {}],
  ['IPv6 source', (e) => (e.requestContext.http.sourceIp = '2001:db8::1')],
  ['no optional fields', (e) => ['identitySource', 'cookies', 'headers', 'queryStringParameters', 'pathParameters', 'stageVariables'].forEach((k) => delete e[k])],
  ['null identitySource', (e) => (e.identitySource = null)],
  ['a lambda authorizer context', (e) => (e.requestContext.authorizer = { lambda: { user: 'x' } })],
  ['an IAM authorizer context', (e) => (e.requestContext.authorizer = { iam: { accessKey: 'AKID', principalOrgId: null, cognitoIdentity: null } })],
  ['a JWT authorizer context', (e) => (e.requestContext.authorizer = { jwt: { claims: { sub: 1 }, scopes: null } })],
  ['unknown extra key', (e) => (e.somethingNew = 1)],
  ['version 1.0', (e) => (e.version = '1.0')],
  ['type TOKEN', (e) => (e.type = 'TOKEN')],
  ['no routeArn', (e) => delete e.routeArn],
  ['no routeKey', (e) => delete e.routeKey],
  ['no rawPath', (e) => delete e.rawPath],
  ['no rawQueryString', (e) => delete e.rawQueryString],
  ['a header that is not a string', (e) => (e.headers.authorization = 7)],
  ['identitySource not an array', (e) => (e.identitySource = 'Bearer x')],
  ['no requestContext', (e) => delete e.requestContext],
  ['unknown method', (e) => (e.requestContext.http.method = 'TRACE')],
  ['source ip not an address', (e) => (e.requestContext.http.sourceIp = 'nowhere')],
  ['timeEpoch a string', (e) => (e.requestContext.timeEpoch = '1583348638390')],
  ['no stage', (e) => delete e.requestContext.stage],
  ['no domainPrefix', (e) => delete e.requestContext.domainPrefix],
  ['client cert without validity', (e) => delete e.requestContext.authentication.clientCert.validity],
  ['JWT context without claims', (e) => (e.requestContext.authorizer = { jwt: { scopes: [] } })],
  ['cognito identity without pool', (e) => (e.requestContext.authorizer = { iam: { cognitoIdentity: { amr: [], identityId: 'x' } } })],
  ['pathParameters with a number', (e) => (e.pathParameters = { id: 1 })],
  ['not an object', () => {}],
];

describe('the authorizer event schema', () => {
  it.each(MUTATIONS)('decides %s as Powertools\' APIGatewayRequestAuthorizerEventV2Schema does', (name, mutate) => {
    const event: Json = name === 'not an object' ? 'Bearer x' : structuredClone(EVENT);
    if (typeof event === 'object') mutate(event);
    const ours = AuthorizerEventSchema.safeParse(event);
    const theirs = APIGatewayRequestAuthorizerEventV2Schema.safeParse(event);
    expect({ name, accepted: ours.success }).toEqual({ name, accepted: theirs.success });
    if (ours.success && theirs.success) expect(ours.data).toEqual(theirs.data);
  });

  it('accepts what API Gateway sends and refuses a wrong shape', () => {
    expect(AuthorizerEventSchema.safeParse(EVENT).success).toBe(true);
    expect(AuthorizerEventSchema.safeParse({ ...EVENT, type: 'TOKEN' }).success).toBe(false);
  });
});
