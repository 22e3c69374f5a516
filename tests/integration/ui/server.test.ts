import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUiServer, type UiServer } from '../../../cli/ui/server';
import { scratchDir } from '../../support/scratch';

/**
 * The `meshctl ui` server against a recording stand-in for the HTTP API: it forwards with the user's token and
 * nothing else, and refuses what another web page in the same browser could send (DNS rebinding, cross-site writes).
 */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const TOKEN = 'ui-test-token-0123456789';
let api: Server;
let apiUrl: string;
let received: Received[];
let ui: UiServer;
let staticDir: string;

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/missing' ? { error: { code: 'NotFound', message: 'no such thing' } } : { ok: true, path: req.url }));
    });
  });
  await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  staticDir = scratchDir('ui-static-');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>meshctl ui</title>');
  writeFileSync(join(staticDir, 'assets', 'app-abc.js'), 'console.log(1)');
  writeFileSync(join(staticDir, '.build.json'), '{"inputs":[]}');
  ui = await startUiServer({ apiUrl, token: TOKEN, port: 0, staticDir: () => staticDir });
});

beforeEach(() => {
  received = [];
});

afterAll(async () => {
  await ui?.close();
  await new Promise((done) => api?.close(done));
});

/** A raw request, so the test controls Host and Origin as another page or a rebinding attack would. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: ui.port, method, path, headers: { host: `127.0.0.1:${ui.port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('meshctl ui server', () => {
  it('listens on the loopback interface only', () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/`);
  });

  it('forwards a read to the HTTP API with the user\'s token in place of whatever the browser sent', async () => {
    const answer = await send('GET', '/api/deployments?limit=5', { authorization: 'Bearer from-the-page', cookie: 'a=b' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, path: '/deployments?limit=5' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'GET', url: '/deployments?limit=5' });
    expect(received[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received[0].headers.cookie).toBeUndefined();
  });

  it('forwards the Activity view\'s read with its whole query string (GET /activity)', async () => {
    const answer = await send('GET', '/api/activity?service=users&outcome=ignored-stale&limit=200');
    expect(answer.status).toBe(200);
    expect(received[0]).toMatchObject({ method: 'GET', url: '/activity?service=users&outcome=ignored-stale&limit=200' });
    expect(received[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('passes the API\'s error answers through with their status', async () => {
    const answer = await send('GET', '/api/missing');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error.code).toBe('NotFound');
  });

  it('forwards a write from the dashboard (X-Mesh-UI, same origin) with its body and content type', async () => {
    const body = JSON.stringify({ image: 'users:1.1.0' });
    const answer = await send('POST', '/api/services/users/rollouts', { 'x-mesh-ui': '1', origin: `http://127.0.0.1:${ui.port}`, 'content-type': 'application/json' }, body);
    expect(answer.status).toBe(200);
    expect(received).toEqual([expect.objectContaining({ method: 'POST', url: '/services/users/rollouts', body })]);
    expect(received[0].headers['content-type']).toBe('application/json');
  });

  it('refuses a write without the dashboard\'s header (a cross-site form) and one from another origin, forwarding neither', async () => {
    const form = await send('POST', '/api/deployments/d-1/cancel', { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, 'a=b');
    const foreign = await send('POST', '/api/deployments/d-1/cancel', { 'x-mesh-ui': '1', origin: 'http://evil.example' });
    expect([form.status, foreign.status]).toEqual([403, 403]);
    expect(JSON.parse(form.body).error.code).toBe('CrossSiteRequest');
    expect(received).toEqual([]);
  });

  it('refuses a request addressed to another host name (DNS rebinding), even a read', async () => {
    const answer = await send('GET', '/api/mesh', { host: `rebind.example:${ui.port}` });
    expect(answer.status).toBe(421);
    expect(received).toEqual([]);
    expect((await send('GET', '/api/mesh', { host: `localhost:${ui.port}` })).status).toBe(200);
  });

  it('forwards no teardown: DELETE is refused here', async () => {
    const answer = await send('DELETE', '/api/mesh', { 'x-mesh-ui': '1' });
    expect(answer.status).toBe(405);
    expect(received).toEqual([]);
  });

  it('serves the built dashboard, and nothing outside it nor its build record', async () => {
    const index = await send('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    const asset = await send('GET', '/assets/app-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await send('GET', '/.build.json')).status).toBe(404);
    expect((await send('GET', '/../../etc/passwd')).status).toBe(404);
    expect((await send('GET', '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('answers 502 ApiUnreachable when the API does not answer', async () => {
    const dead = await startUiServer({ apiUrl: 'http://127.0.0.1:9', token: TOKEN, port: 0, staticDir: () => staticDir, timeoutMs: 2000 });
    try {
      const answer = await new Promise<{ status: number; body: string }>((done, fail) => {
        const req = request({ host: '127.0.0.1', port: dead.port, path: '/api/mesh', headers: { host: `127.0.0.1:${dead.port}` } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', fail);
        req.end();
      });
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body).error).toMatchObject({ code: 'ApiUnreachable' });
      expect(answer.body).not.toContain(TOKEN);
    } finally {
      await dead.close();
    }
  });
});
