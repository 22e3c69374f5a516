/**
 * The local API Gateway HTTP API: a node:http server (port 3000 by default) serving the `httpApi` routes of
 * `serverless.yml` with payload format 2.0, authorizers included, by invoking the functions in the local
 * Lambda runtime. It answers what API Gateway answers: 404 `{"message":"Not Found"}` for an unknown route,
 * 401/403 from the authorizers, 413 above the 10 MB payload quota, 500 `{"message":"Internal Server Error"}`
 * when the function fails or returns something unusable, 503 when it exceeds the 30-second integration timeout.
 * CORS preflight handling (`provider.httpApi.cors`) is not emulated.
 *
 * @example
 * const api = new HttpApiServer(config, runtime, { region: config.region, port: 3000 });
 * const url = await api.start();   // http://127.0.0.1:3000
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LOCAL_ACCOUNT_ID } from '../aws/protocol';
import type { ServerlessConfig } from '../serverless/model';
import { Authorizers, type FunctionInvoker } from './authorizers';
import { buildHttpApiEvent, type ApiIdentity } from './event';
import { toApiRequest } from './request';
import { GATEWAY, mapLambdaResult, type HttpResponse } from './response';
import { buildRoutes, matchRoute, type Route } from './routes';

export interface HttpApiServerOptions {
  readonly region: string;
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The API id in events and route ARNs; default derived from the service and stage. */
  readonly apiId?: string;
  /** The HS256 secret of local JWTs (see `jwt.ts`); without it, routes behind a JWT authorizer answer 401. */
  readonly jwtSecret?: string;
  /** API Gateway's maximum integration timeout for HTTP APIs is 30 seconds. */
  readonly integrationTimeoutMs?: number;
  /** HTTP API payloads are limited to 10 MB. */
  readonly maxBodyBytes?: number;
  /** Failures worth knowing about (function errors by name and message; never headers, tokens or bodies). */
  readonly logger?: (message: string, error?: unknown) => void;
}

const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

class IntegrationTimeout extends Error {
  override readonly name = 'IntegrationTimeout';
}

/** API ids are 10 lower-case alphanumerics. */
function defaultApiId(service: string, stage: string): string {
  const digest = createHash('sha256').update(`${service}/${stage}`).digest();
  return [...digest.subarray(0, 10)].map((byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new BodyTooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class HttpApiServer {
  readonly routes: readonly Route[];
  readonly apiId: string;
  private readonly authorizers: Authorizers;
  private readonly logger: (message: string, error?: unknown) => void;
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private boundUrl?: string;

  constructor(
    config: Pick<ServerlessConfig, 'functions' | 'httpApi' | 'service' | 'stage'>,
    private readonly invoker: FunctionInvoker,
    private readonly options: HttpApiServerOptions,
  ) {
    this.routes = buildRoutes(config);
    this.apiId = options.apiId ?? defaultApiId(config.service, config.stage);
    this.logger = options.logger ?? ((message, error) => console.error(`[http-api] ${message}`, error ?? ''));
    this.authorizers = new Authorizers(config.httpApi.authorizers, invoker, { jwtSecret: options.jwtSecret, logger: this.logger });
  }

  /** `http://host:port` once started. */
  get url(): string {
    if (!this.boundUrl) throw new Error('the HTTP API is not started');
    return this.boundUrl;
  }

  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 3000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundUrl = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this.boundUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const requestId = randomUUID();
    let response: HttpResponse;
    try {
      const body = await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      response = await this.respond(toApiRequest(req, body, receivedAt), requestId);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        response = GATEWAY.tooLarge();
        res.setHeader('connection', 'close');
      } else {
        this.logger('unexpected failure while serving a request', error);
        response = GATEWAY.internalError();
      }
    }
    if (res.headersSent || res.destroyed) return;
    res.statusCode = response.statusCode;
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    if (response.cookies.length > 0) res.setHeader('set-cookie', [...response.cookies]);
    res.setHeader('apigw-requestid', requestId);
    res.setHeader('content-length', response.body.length);
    res.end(response.body);
  }

  private async respond(request: ReturnType<typeof toApiRequest>, requestId: string): Promise<HttpResponse> {
    const match = matchRoute(this.routes, request.method, request.rawPath);
    if (!match) return GATEWAY.notFound();
    const identity: ApiIdentity = { accountId: LOCAL_ACCOUNT_ID, apiId: this.apiId, region: this.options.region, requestId };
    const authorization = await this.authorizers.authorize(match.route, request, identity, match.pathParameters);
    if (!authorization.allowed) return authorization.response;
    const event = buildHttpApiEvent(request, identity, match.route.routeKey, match.pathParameters, authorization.context);
    try {
      return mapLambdaResult(await this.invokeWithTimeout(match.route.functionKey, event));
    } catch (error) {
      if (error instanceof IntegrationTimeout) return GATEWAY.unavailable();
      const described = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      this.logger(`${match.route.routeKey} (function ${match.route.functionKey}) failed: ${described}`);
      return GATEWAY.internalError();
    }
  }

  private invokeWithTimeout(functionKey: string, event: unknown): Promise<unknown> {
    const timeoutMs = this.options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new IntegrationTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.invoker.invoke(functionKey, event), timeout]).finally(() => clearTimeout(timer));
  }
}
