import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/**
 * The `meshctl ui` server: the built dashboard (ui/) and a forwarder of `/api/*` to the HTTP API that adds the
 * user's bearer token. It listens on the loopback interface only, and the token never reaches the browser.
 *
 * Because it holds a token, it guards against the two ways another web page could borrow it from the user's
 * browser: DNS rebinding (a foreign name resolving to 127.0.0.1) is refused by checking the `Host` header, and a
 * cross-site request (a form POST from another origin) is refused because every forwarded write must carry the
 * `X-Mesh-UI` header, which a cross-origin page can only send after a CORS preflight this server never allows.
 */
export interface UiServerOptions {
  /** The HTTP API's base URL (`--api-url`). */
  apiUrl: string;
  /** Its bearer token (`--token`). */
  token: string;
  /** 0 picks a free port. */
  port: number;
  /** The built dashboard (index.html and assets/); read per request, so a rebuild is served at once. */
  staticDir: () => string;
  fetch?: typeof fetch;
  /** Per forwarded request: API Gateway gives up after 30 s anyway. */
  timeoutMs?: number;
}

export interface UiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The header the dashboard sends with every write (see the module comment). */
export const UI_WRITE_HEADER = 'x-mesh-ui';
/** API Gateway's payload limit; the API refuses more with 413 anyway (a spec is held to less). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The only methods the dashboard uses: reads, and starts (deployments, plans, rollouts, cancel). No teardown. */
const FORWARDED_METHODS = new Set(['GET', 'POST']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const SECURITY_HEADERS = {
  // Scripts and data from this server only; preact sets inline style attributes (graph positions).
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Starts the server on 127.0.0.1. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const doFetch = options.fetch ?? fetch;
  const apiBase = options.apiUrl.replace(/\/+$/, '');
  let port = options.port;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalError', message: error instanceof Error ? error.message : String(error) } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req.headers.host, port)) {
      sendJson(res, 421, { error: { code: 'MisdirectedRequest', message: `this server answers only as 127.0.0.1:${port} or localhost:${port}` } });
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return forward(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} is not allowed here` } });
      return;
    }
    return serveStatic(res, url.pathname, req.method === 'HEAD');
  }

  async function forward(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (!FORWARDED_METHODS.has(method)) {
      sendJson(res, 405, { error: { code: 'MethodNotAllowed', message: `the dashboard forwards GET and POST only, not ${method}` } });
      return;
    }
    if (method !== 'GET') {
      const origin = req.headers.origin;
      if (req.headers[UI_WRITE_HEADER] !== '1' || (origin !== undefined && !allowedOrigin(origin, port))) {
        sendJson(res, 403, { error: { code: 'CrossSiteRequest', message: `a write must come from the dashboard itself (header ${UI_WRITE_HEADER}, same origin)` } });
        return;
      }
    }
    const body = method === 'GET' ? undefined : await readBody(req);
    if (body === null) {
      sendJson(res, 413, { error: { code: 'PayloadTooLarge', message: `the body is over ${MAX_BODY_BYTES} bytes` } });
      return;
    }
    const target = `${apiBase}${url.pathname.slice('/api'.length) || '/'}${url.search}`;
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
    const contentType = req.headers['content-type'];
    if (contentType) headers['content-type'] = contentType;
    let answer: Response;
    try {
      answer = await doFetch(target, { method, headers, body: body === undefined ? undefined : new Uint8Array(body), signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      sendJson(res, 502, { error: { code: 'ApiUnreachable', message: `the HTTP API at ${apiBase} did not answer: ${reason}` } });
      return;
    }
    const text = Buffer.from(await answer.arrayBuffer());
    res.writeHead(answer.status, {
      ...SECURITY_HEADERS,
      'content-type': answer.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
      'content-length': String(text.length),
    });
    res.end(text);
  }

  async function serveStatic(res: ServerResponse, pathname: string, headOnly: boolean): Promise<void> {
    const root = options.staticDir();
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(root, relative));
    // Nothing outside the build directory, and no dotfiles (the build's own record).
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || relative.split('/').some((part) => part.startsWith('.'))) {
      sendJson(res, 404, { error: { code: 'NotFound', message: pathname } });
      return;
    }
    let content: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      content = await readFile(file);
    } catch {
      sendJson(res, 404, { error: { code: 'NotFound', message: pathname } });
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      // Vite names assets by content hash: they never change; index.html names the current ones.
      'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-length': String(content.length),
    });
    res.end(headOnly ? undefined : content);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function allowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function allowedOrigin(origin: string, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/** The request body, or null when it is over the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
