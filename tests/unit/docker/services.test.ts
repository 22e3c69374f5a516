import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './docker-files';

/** One sample service started as in its image: `node server.js` with the environment ECS would give it. */
interface Service {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(msg: string): Promise<Record<string, unknown>>;
}

const running: ChildProcess[] = [];
const servers: Server[] = [];

function startService(name: string, env: Record<string, string> = {}): Promise<Service> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'docker/services', name, 'server.js')], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SERVICE_NAME: name, SERVICE_VERSION: '1.2.3', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitForLog = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = logs.find((l) => l.msg === msg);
      if (seen) resolve(seen);
      else waiters.push({ msg, resolve });
      void exited.then(({ code }) => reject(new Error(`${name} exited (${code}) before logging "${msg}": ${stderr}`)));
    });
  return waitForLog('listening').then((line) => {
    const port = Number(line.port);
    return { name, port, url: `http://127.0.0.1:${port}`, child, logs, exited, waitForLog };
  });
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** One request on its own connection (no pooling, so a draining server's closed sockets cannot be reused). */
function call(url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A stand-in upstream under the test's control, on a free loopback port. */
async function stubUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A loopback port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('sample services', () => {
  let todos: Service;
  let users: Service;

  beforeAll(async () => {
    todos = await startService('todos');
    users = await startService('users', { UPSTREAM_URL: todos.url });
  });

  it.each(['activities', 'notifications'])('%s answers / and /health without an upstream', async (name) => {
    const service = await startService(name);
    expect(await call(`${service.url}/health`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    const root = await call(`${service.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers['content-type']).toMatch(/^application\/json/);
    expect(root.body).toMatchObject({ service: name, version: '1.2.3', upstream: null });
    expect(typeof root.body.instance).toBe('string');
  });

  it('users reports the answer of todos, its upstream through the local proxy port', async () => {
    const root = await call(`${users.url}/`);
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({
      service: 'users',
      upstream: { ok: true, status: 200, url: `${todos.url}/info`, body: { service: 'todos', version: '1.2.3' } },
    });
  });

  it('todos → users works the other way round, without users calling todos again', async () => {
    const todosWithUpstream = await startService('todos', { UPSTREAM_URL: users.url });
    const root = await call(`${todosWithUpstream.url}/`);
    expect(root).toMatchObject({ status: 200, body: { service: 'todos', upstream: { ok: true, body: { service: 'users' } } } });
    // users answered /info, which never calls its own upstream: no users → todos → users loop.
    expect(root.body.upstream).not.toHaveProperty('body.upstream');
  });

  it('reports an unreachable upstream as 502 with the error, and keeps serving', async () => {
    const service = await startService('users', { UPSTREAM_URL: `http://127.0.0.1:${await closedPort()}` });
    const root = await call(`${service.url}/`);
    expect(root.status).toBe(502);
    expect(root.body).toMatchObject({ service: 'users', upstream: { ok: false, code: 'ECONNREFUSED', error: expect.stringContaining('ECONNREFUSED') } });
    expect(await call(`${service.url}/health`)).toMatchObject({ status: 200 });
    expect(service.child.exitCode).toBeNull();
  });

  it('gives up on a silent upstream after UPSTREAM_TIMEOUT_MS', async () => {
    const silent = await stubUpstream(() => undefined);
    const service = await startService('users', { UPSTREAM_URL: silent.url, UPSTREAM_TIMEOUT_MS: '100' });
    const started = Date.now();
    const root = await call(`${service.url}/`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(root).toMatchObject({ status: 502, body: { upstream: { ok: false, code: 'ETIMEDOUT', error: 'upstream did not answer within 100 ms' } } });
  });

  it('reports an upstream error status or a non-JSON answer as a failed upstream', async () => {
    const broken = await stubUpstream((req, res) => {
      if (req.url === '/info') res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
    });
    const html = await stubUpstream((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'));
    const viaBroken = await startService('users', { UPSTREAM_URL: broken.url });
    const viaHtml = await startService('users', { UPSTREAM_URL: html.url });
    expect(await call(`${viaBroken.url}/`)).toMatchObject({ status: 502, body: { upstream: { ok: false, status: 500, body: { error: 'boom' } } } });
    expect(await call(`${viaHtml.url}/`)).toMatchObject({ status: 502, body: { upstream: { ok: false, status: 200, error: 'upstream answer is not JSON' } } });
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect(await call(`${todos.url}/nope`)).toMatchObject({ status: 404, body: { error: 'no route for /nope' } });
    const post = await call(`${todos.url}/`, 'POST');
    expect(post).toMatchObject({ status: 405 });
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('refuses an invalid configuration at start', async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'docker/services/users/server.js')], {
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be an integer');
  });
});

describe('graceful shutdown on SIGTERM', () => {
  it('exits 0 when idle', async () => {
    const service = await startService('notifications');
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.logs.map((l) => l.msg)).toEqual(['listening', 'shutting down', 'stopped']);
  });

  it('stops accepting connections but finishes the request in flight, then exits 0', async () => {
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const upstreamCalled = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await stubUpstream((_req, res) => {
      release = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"service":"todos"}');
      arrived();
    });
    const service = await startService('users', { UPSTREAM_URL: slow.url, UPSTREAM_TIMEOUT_MS: '10000' });

    const inFlight = call(`${service.url}/`);
    await upstreamCalled;
    service.child.kill('SIGTERM');
    await service.waitForLog('shutting down');
    // The listener closes right away (no drain delay): new connections are refused while the request is still open.
    await expect(waitForRefusal(`${service.url}/health`)).resolves.toBe('ECONNREFUSED');
    expect(service.child.exitCode).toBeNull();

    release();
    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200, body: { service: 'users', upstream: { ok: true, body: { service: 'todos' } } } });
    expect(answer.headers.connection).toBe('close');
    expect(await service.exited).toEqual({ code: 0, signal: null });
  });

  it('answers /health with 503 during the drain delay, then exits 0', async () => {
    const service = await startService('activities', { SHUTDOWN_DELAY_MS: '800' });
    service.child.kill('SIGTERM');
    await service.waitForLog('shutting down');
    expect(await call(`${service.url}/health`)).toMatchObject({ status: 503, body: { status: 'shutting-down' } });
    expect(await service.exited).toEqual({ code: 0, signal: null });
  });

  it('cuts requests that outlive SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const silent = await stubUpstream(() => undefined);
    const service = await startService('users', { UPSTREAM_URL: silent.url, UPSTREAM_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '100' });
    const inFlight = call(`${service.url}/`).catch((error: NodeJS.ErrnoException) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 50));
    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 1, signal: null });
    expect(await inFlight).toBe('ECONNRESET');
  });
});

/** Polls until connecting is refused (the listener is closed), up to a second. */
async function waitForRefusal(url: string): Promise<string> {
  const deadline = Date.now() + 1000;
  for (;;) {
    try {
      await call(url);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'unknown';
    }
    if (Date.now() > deadline) return 'still accepting';
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
