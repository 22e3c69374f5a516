import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, errorCode, expectAnswer, jsonBody, stringField, UnexpectedAnswer } from '../../../bench/api/http';

describe('expectAnswer', () => {
  it('returns the body of an answer with the expected status', () => {
    expect(expectAnswer({ status: 202, body: { id: 'd-1', status: 'RUNNING' } }, 202, 'POST /deployments')).toEqual({ id: 'd-1', status: 'RUNNING' });
  });

  it('names the request, the expected and the actual status, and the body otherwise', () => {
    const answer = { status: 409, body: { error: { code: 'ConcurrentOperation', message: 'a deployment is running' } } };
    expect(() => expectAnswer(answer, 202, 'POST /deployments')).toThrow(UnexpectedAnswer);
    expect(() => expectAnswer(answer, 202, 'POST /deployments')).toThrow(/^POST \/deployments: expected 202, got 409 .*ConcurrentOperation/);
  });

  it('refuses a body that is not a JSON object even with the right status, and cuts a long one', () => {
    expect(() => expectAnswer({ status: 200, body: 'x'.repeat(1000) }, 200, 'GET')).toThrow(/got 200 x{300}…$/);
    expect(() => expectAnswer({ status: 200, body: [1] }, 200, 'GET')).toThrow(UnexpectedAnswer);
  });
});

describe('errorCode and stringField', () => {
  it('reads the API error code, if the body is an API error', () => {
    expect(errorCode({ error: { code: 'SpecInvalid', message: 'm' } })).toBe('SpecInvalid');
    expect(errorCode({ error: 'text' })).toBeUndefined();
    expect(errorCode('not json')).toBeUndefined();
  });

  it('reads a string field or says which one is missing', () => {
    expect(stringField({ id: 'r-1' }, 'id', 'POST rollouts')).toBe('r-1');
    expect(() => stringField({ id: 7 }, 'id', 'POST rollouts')).toThrow('POST rollouts: the answer has no string "id" ({"id":7})');
  });
});

describe('ApiClient', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ method?: string; url?: string; authorization?: string; contentType?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
        if (req.url === '/text') {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('oops');
          return;
        }
        res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ echoed: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the bearer token on every request and the pre-serialised body as JSON', async () => {
    const api = new ApiClient(url, 'bench-token-0123456789');
    const posted = await api.post('/deployments?pollSeconds=0', jsonBody({ name: 'reference-mesh' }));
    const got = await api.get('/deployments/d-1');

    expect(posted).toEqual({ status: 202, body: { echoed: '{"name":"reference-mesh"}' } });
    expect(got).toEqual({ status: 200, body: { echoed: '' } });
    expect(seen.slice(-2)).toEqual([
      { method: 'POST', url: '/deployments?pollSeconds=0', authorization: 'Bearer bench-token-0123456789', contentType: 'application/json', body: '{"name":"reference-mesh"}' },
      { method: 'GET', url: '/deployments/d-1', authorization: 'Bearer bench-token-0123456789', contentType: undefined, body: '' },
    ]);
  });

  it('keeps a body that is not JSON as text', async () => {
    await expect(new ApiClient(url, 't').get('/text')).resolves.toEqual({ status: 500, body: 'oops' });
  });
});
