/**
 * The local HTTP API serves the fixture app's `httpApi` routes through real HTTP (fetch): routing and path
 * parameters, the exact payload 2.0 event, the response mapping, and the authorizers (allow, deny, missing
 * identity source, JWT scopes).
 */
import { LambdaRuntime } from '../../../../local/aws/lambda';
import { HttpApiServer, signLocalJwt, type HttpApiEventV2 } from '../../../../local/http-api';
import type { ServerlessConfig } from '../../../../local/serverless/model';
import { loadFixtureConfig } from '../../../fixtures/serverless-app/load';

const TOKEN = 'fixture-token-0123456789';
const JWT_SECRET = 'local-jwt-secret-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };

let config: ServerlessConfig;
let runtime: LambdaRuntime;
let api: HttpApiServer;
let url: string;
const logged: string[] = [];
/** Functions the API invoked, in order (the authorizer included). */
const invoked: string[] = [];

beforeAll(async () => {
  config = await loadFixtureConfig();
  runtime = new LambdaRuntime(config.functions, { region: config.region, taskRoot: config.appDir });
  const spy = { invoke: (reference: string, event: unknown) => (invoked.push(reference), runtime.invoke(reference, event)) };
  api = new HttpApiServer(config, spy, { region: config.region, port: 0, jwtSecret: JWT_SECRET, logger: (message) => logged.push(message) });
  url = await api.start();
});

afterAll(async () => {
  await api.stop();
  await runtime.close();
});

/** The event the echo function received. */
async function echo(path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, init);
  expect(response.status).toBe(200);
  return (await response.json()) as HttpApiEventV2;
}

describe('routing', () => {
  it('answers an unknown route with 404 {"message":"Not Found"}', async () => {
    const response = await fetch(`${url}/nowhere`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('matches the method: a route for GET does not answer POST', async () => {
    const response = await fetch(`${url}/items/1`, { method: 'POST', headers: auth });

    expect(response.status).toBe(404);
  });

  it('extracts path parameters, decoded, and a greedy {proxy+} takes the rest of the path', async () => {
    const item = await echo('/items/a%20b', { headers: auth });
    const file = await echo('/public/docs/guide/intro.md');

    expect(item.pathParameters).toEqual({ id: 'a b' });
    expect(item.routeKey).toBe('GET /items/{id}');
    expect(file.pathParameters).toEqual({ proxy: 'docs/guide/intro.md' });
    expect(file.routeKey).toBe('GET /public/{proxy+}');
  });

  it('routes any method to an ANY route', async () => {
    const response = await fetch(`${url}/respond/object`, { method: 'DELETE' });

    expect(response.status).toBe(200);
  });
});

describe('the payload format 2.0 event', () => {
  it('carries the request as API Gateway does', async () => {
    const event = await echo('/items/42?tag=a&tag=b&q=x%20y', {
      headers: { ...auth, 'X-Custom': 'One', cookie: 'session=abc; theme=dark', 'user-agent': 'fixture-test' },
    });

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/items/42',
      rawQueryString: 'tag=a&tag=b&q=x%20y',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { tag: 'a,b', q: 'x y' },
      pathParameters: { id: '42' },
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({ 'x-custom': 'One', authorization: `Bearer ${TOKEN}`, 'user-agent': 'fixture-test', 'x-forwarded-proto': 'http' });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    const context = event.requestContext;
    expect(context).toMatchObject({
      accountId: '000000000000',
      apiId: api.apiId,
      domainName: new URL(url).host,
      http: { method: 'GET', path: '/items/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fixture-test' },
      routeKey: 'GET /items/{id}',
      stage: '$default',
    });
    expect(context.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(context.timeEpoch - Date.now())).toBeLessThan(5_000);
  });

  it('passes a JSON body as text and a YAML body base64-encoded', async () => {
    const json = await echo('/items', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    const yaml = await echo('/items', { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: 'name: x\n' });

    expect(json).toMatchObject({ routeKey: 'POST /items', body: '{"name":"x"}', isBase64Encoded: false });
    expect(json.pathParameters).toBeUndefined();
    expect(yaml.isBase64Encoded).toBe(true);
    expect(Buffer.from(yaml.body ?? '', 'base64').toString('utf8')).toBe('name: x\n');
  });

  it('refuses a body over 10 MB with 413', async () => {
    const response = await fetch(`${url}/items`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: 'x'.repeat(10 * 1024 * 1024 + 1) });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
  });
});

describe('response mapping', () => {
  it('turns a result without statusCode into a 200 JSON response', async () => {
    const object = await fetch(`${url}/respond/object`);
    const text = await fetch(`${url}/respond/string`);

    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toEqual({ hello: 'world' });
    expect(await text.text()).toBe('plain words');
  });

  it('uses statusCode, headers, cookies and decodes a base64 body', async () => {
    const cookies = await fetch(`${url}/respond/cookies`);
    const binary = await fetch(`${url}/respond/binary`);
    const teapot = await fetch(`${url}/respond/teapot`);

    expect(cookies.status).toBe(201);
    expect(cookies.headers.get('x-custom')).toBe('yes');
    expect(cookies.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(await cookies.text()).toBe('made');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 500 {"message":"Internal Server Error"} when the function throws', async () => {
    const response = await fetch(`${url}/respond/throw`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(logged.some((line) => line.includes('handler exploded'))).toBe(true);
  });
});

describe('the Lambda REQUEST authorizer', () => {
  it('answers 401 without calling the authorizer when the identity source is missing', async () => {
    invoked.length = 0;
    const response = await fetch(`${url}/items/1`);

    expect(invoked).toEqual([]);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('answers 403 when the authorizer says isAuthorized: false, without calling the route', async () => {
    invoked.length = 0;
    const response = await fetch(`${url}/items/1`, { headers: { authorization: 'Bearer wrong-token' } });

    expect(invoked).toEqual(['authorize']);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('gives the route the authorizer context in requestContext.authorizer.lambda', async () => {
    const event = await echo('/items/7', { headers: auth });

    expect(event.requestContext.authorizer).toEqual({
      lambda: { principal: 'fixture-user', routeArn: `arn:aws:execute-api:us-east-1:000000000000:${api.apiId}/$default/GET/items/7`, sources: 1 },
    });
  });

  it('never writes the token to the log', () => {
    expect(logged.some((line) => line.includes(TOKEN) || line.includes('wrong-token'))).toBe(false);
  });
});

describe('the JWT authorizer (local HS256 tokens)', () => {
  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: 'https://issuer.example.test',
    aud: 'fixture-app',
    sub: 'user-1',
    scope: 'items:read items:write',
    exp: Math.floor(Date.now() / 1000) + 300,
    ...overrides,
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('passes the claims and scopes of a valid token to the function', async () => {
    const event = await echo('/claims', { headers: bearer(signLocalJwt(claims(), JWT_SECRET)) });

    expect(event.requestContext).toMatchObject({
      authorizer: { jwt: { claims: { sub: 'user-1', iss: 'https://issuer.example.test' }, scopes: ['items:read', 'items:write'] } },
    });
  });

  it('answers 401 for a bad signature, another audience or an expired token', async () => {
    const tokens = [
      signLocalJwt(claims(), 'another-secret'),
      signLocalJwt(claims({ aud: 'someone-else' }), JWT_SECRET),
      signLocalJwt(claims({ exp: Math.floor(Date.now() / 1000) - 1 }), JWT_SECRET),
    ];

    const statuses = await Promise.all(tokens.map(async (token) => (await fetch(`${url}/claims`, { headers: bearer(token) })).status));

    expect(statuses).toEqual([401, 401, 401]);
  });

  it('answers 403 when the token lacks the scope the route requires', async () => {
    const response = await fetch(`${url}/claims`, { headers: bearer(signLocalJwt(claims({ scope: 'items:write' }), JWT_SECRET)) });

    expect(response.status).toBe(403);
  });
});
