/**
 * The local AWS-compatible endpoint: one node:http server speaking the AWS JSON protocols (1.0 and 1.1) and S3's
 * REST protocol.
 *
 * `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` is dispatched to the registered `ServiceProvider`
 * (like LocalStack's service router); any other request (a method on `/<bucket>/<key>`) goes to the REST provider
 * (S3), when one is registered. Every request is SigV4-verified against the local credentials, every reply
 * carries `x-amzn-RequestId`, errors have the protocol's shape (JSON `{"__type", "message"}` plus the
 * `x-amzn-ErrorType` header; S3's XML `<Error>`) and nothing a provider throws can crash the process.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Faults } from '../faults/faults';
import { AwsServiceError, LOCAL_ACCOUNT_ID, type RequestContext, type RestResponse, type RestServiceProvider, type ServiceProvider } from './protocol';
import { DEFAULT_LOCAL_CREDENTIALS, verifySigV4, type CredentialLookup, type LocalCredentials } from './sigv4';
import type { IamAuthorizer } from './iam/authorizer';
import { requestsForCall, requestsForS3, type ArnHints } from './iam/actions';

/** Handles a request that is not an AWS API call (admin routes); resolves true when it answered it. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** One AWS call as the endpoint received it: the operation and its parsed JSON body, before it is served. */
export interface ReceivedCall {
  target: string;
  input: Record<string, unknown>;
}

/** Where unexpected failures are reported (the reply to the caller is a generic 500). */
export type EndpointLogger = (message: string, error?: unknown) => void;

export interface AwsEndpointOptions {
  /** Default 4566 (LocalStack's port); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default access key `test`, secret `test`. */
  credentials?: LocalCredentials;
  /** Shared fault-injection state; consulted before every dispatch (throttling, latency). */
  faults?: Faults;
  providers?: ServiceProvider[];
  /** The REST-protocol service (S3) answering every request that is not `POST /` with `X-Amz-Target`. */
  restProvider?: RestServiceProvider;
  /** Tried first for requests without `X-Amz-Target` (e.g. `GET /_local/...`). */
  extraRoutes?: ExtraRoutes;
  logger?: EndpointLogger;
  /** Largest accepted request body; AWS JSON APIs stay far below the default 10 MB. */
  maxBodyBytes?: number;
  /**
   * IAM: the access keys the endpoint accepts (the administrator's and the roles' temporary ones) and the
   * evaluation of each call against its caller's policies. Without it only `credentials` is accepted, for anything.
   */
  iam?: IamAuthorizer;
  /** What the IAM resource ARNs need from the services' state (the next task-definition revision). */
  iamHints?: ArnHints;
}

const JSON_CONTENT_TYPES: Record<string, '1.0' | '1.1'> = {
  'application/x-amz-json-1.0': '1.0',
  'application/x-amz-json-1.1': '1.1',
};

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`request body exceeds ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const defaultLogger: EndpointLogger = (message, error) => console.error(`[aws-endpoint] ${message}`, error ?? '');

/**
 * The local AWS endpoint.
 *
 * @example
 * const endpoint = new AwsEndpoint({ port: 0, providers: [ecs.provider] });
 * await endpoint.start();
 * const client = new ECSClient({ endpoint: endpoint.url, region: 'us-east-1',
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 */
export class AwsEndpoint {
  private readonly providers = new Map<string, ServiceProvider>();
  private readonly counts = new Map<string, number>();
  private readonly throttled = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly callListeners = new Set<(call: ReceivedCall) => void>();
  private readonly credentials: LocalCredentials | CredentialLookup;
  private readonly faults: Faults;
  private readonly logger: EndpointLogger;
  private server?: Server;
  private boundUrl?: string;

  constructor(private readonly options: AwsEndpointOptions = {}) {
    const iam = options.iam;
    this.credentials = iam ? (accessKeyId: string) => iam.credentialsOf(accessKeyId) : (options.credentials ?? DEFAULT_LOCAL_CREDENTIALS);
    this.faults = options.faults ?? new Faults();
    this.logger = options.logger ?? defaultLogger;
    for (const provider of options.providers ?? []) this.register(provider);
  }

  /** Adds a service; its `targetPrefix` must be unique. */
  register(provider: ServiceProvider): void {
    if (this.providers.has(provider.targetPrefix)) {
      throw new Error(`a provider for ${provider.targetPrefix} is already registered`);
    }
    this.providers.set(provider.targetPrefix, provider);
  }

  /** `http://host:port` once started. */
  get url(): string {
    if (!this.boundUrl) throw new Error('the AWS endpoint is not started');
    return this.boundUrl;
  }

  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 4566, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.boundUrl = `http://${host}:${port}`;
    return this.boundUrl;
  }

  /** Closes the server and any kept-alive connections (SDK clients keep sockets open). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Calls received per `X-Amz-Target` (every dispatched attempt, including throttled ones). */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Attempts answered with an injected `ThrottlingException`, per `X-Amz-Target`. */
  throttledCounts(): Record<string, number> {
    return Object.fromEntries(this.throttled);
  }

  /**
   * Calls `listener` with every well-formed call (signed, known operation, JSON body) before it is served,
   * including the ones the operation then rejects: what the code sent, not what the emulator accepted.
   * Returns the function that removes the listener.
   */
  onCall(listener: (call: ReceivedCall) => void): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  resetCallCounts(): void {
    this.counts.clear();
    this.throttled.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    try {
      const target = header(req, 'x-amz-target');
      if (!target && this.options.extraRoutes && (await this.options.extraRoutes(req, res))) return;
      const path = (req.url ?? '/').split('?')[0];
      if (!target && this.options.restProvider && !(req.method === 'POST' && path === '/')) {
        await this.handleRestCall(req, res, requestId, this.options.restProvider);
        return;
      }
      await this.handleAwsCall(req, res, requestId, target);
    } catch (error) {
      this.replyWithError(res, error, header(req, 'content-type'));
    }
  }

  private async handleAwsCall(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    target: string | undefined,
  ): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/') {
      req.resume();
      throw new AwsServiceError('UnknownOperationException', `No AWS operation is served at ${req.method} ${path}; use POST / with X-Amz-Target.`, 404);
    }
    const body = await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const caller = await verifySigV4({ method: req.method, url: req.url ?? '/', headers: req.headers, body }, this.credentials);

    if (!target) throw new AwsServiceError('UnknownOperationException', 'Missing X-Amz-Target header: the operation to call is unknown.', 400);
    const dot = target.lastIndexOf('.');
    const prefix = dot > 0 ? target.slice(0, dot) : target;
    const operationName = dot > 0 ? target.slice(dot + 1) : '';
    const provider = this.providers.get(prefix);
    if (!provider) {
      throw new AwsServiceError('UnknownOperationException', `No service is served for target prefix '${prefix}' (X-Amz-Target: ${target}).`, 400);
    }
    const operation = Object.hasOwn(provider.operations, operationName) ? provider.operations[operationName] : undefined;
    if (!operation) {
      throw new AwsServiceError('UnknownOperationException', `Operation '${operationName}' is not supported by ${prefix}.`, 400);
    }
    // AWS rejects a signature scoped to another service (the signing key includes the service name).
    if (caller.service !== provider.signingName) {
      throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${provider.signingName}'.`, 403);
    }

    this.counts.set(target, (this.counts.get(target) ?? 0) + 1);
    const { latencyMs } = this.faults.current;
    if (latencyMs > 0) await delay(latencyMs);
    if (this.faults.shouldThrottle(target)) {
      this.throttled.set(target, (this.throttled.get(target) ?? 0) + 1);
      throw new AwsServiceError('ThrottlingException', 'Rate exceeded', 400);
    }

    const contentType = header(req, 'content-type')?.split(';')[0].trim().toLowerCase();
    const version = contentType ? JSON_CONTENT_TYPES[contentType] : undefined;
    if (contentType && !version) {
      throw new AwsServiceError('SerializationException', `Unsupported Content-Type '${contentType}': expected application/x-amz-json-${provider.jsonVersion}.`, 400);
    }
    const input = parseInput(body);
    for (const listener of this.callListeners) listener({ target, input: structuredClone(input) });
    // IAM authorizes the call before the service validates it (an unauthorized caller learns nothing of the input).
    if (this.options.iam) {
      const scope = { region: caller.region, accountId: LOCAL_ACCOUNT_ID, hints: this.options.iamHints };
      this.options.iam.authorize(this.options.iam.principalOf(caller.accessKeyId), requestsForCall(provider.signingName, operationName, input, scope));
    }
    const context: RequestContext = { region: caller.region, accountId: LOCAL_ACCOUNT_ID, requestId };
    const output = await operation(input, context);
    const replyType = `application/x-amz-json-${version ?? provider.jsonVersion}`;
    send(res, 200, replyType, JSON.stringify(output ?? {}));
  }

  /** A REST-protocol call: the provider answers, errors included, in its own protocol's shape. */
  private async handleRestCall(req: IncomingMessage, res: ServerResponse, requestId: string, provider: RestServiceProvider): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const request = { method, path: url.pathname, query: url.searchParams, headers: req.headers };
    // S3 clients send this id (and the JSON services' x-amzn-RequestId) with every answer.
    res.setHeader('x-amz-request-id', requestId);
    let reply: RestResponse;
    try {
      const body = await readBody(req, provider.maxBodyBytes);
      const caller = await verifySigV4({ method, url: req.url ?? '/', headers: req.headers, body }, this.credentials);
      if (caller.service !== provider.signingName) {
        throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${provider.signingName}'.`, 403);
      }
      const target = `S3.${provider.operationOf(request)}`;
      this.counts.set(target, (this.counts.get(target) ?? 0) + 1);
      const { latencyMs } = this.faults.current;
      if (latencyMs > 0) await delay(latencyMs);
      if (this.faults.shouldThrottle(target)) {
        this.throttled.set(target, (this.throttled.get(target) ?? 0) + 1);
        throw new AwsServiceError('ThrottlingException', 'Rate exceeded', 503);
      }
      // S3 answers a denied call with its own code, AccessDenied (403), in its XML error document.
      const operation = provider.operationOf(request);
      const principal = this.options.iam?.principalOf(caller.accessKeyId);
      if (principal) this.options.iam?.authorize(principal, requestsForS3(operation, url.pathname, url.searchParams), 'AccessDenied');
      const context: RequestContext = { region: caller.region, accountId: LOCAL_ACCOUNT_ID, requestId };
      // "If the object you request doesn't exist, the error that Amazon S3 returns depends on whether you also have
      // the s3:ListBucket permission": without it, 403 instead of 404 (GetObject, HeadObject). The listing is
      // authorized here as a listing of the key itself (s3:prefix = the key).
      const hideMissingKey = () => {
        if (!principal || (operation !== 'GetObject' && operation !== 'HeadObject')) return;
        const [listing] = requestsForS3('ListObjectsV2', url.pathname.split('/').slice(0, 2).join('/'), new URLSearchParams({ prefix: keyOf(url.pathname) }));
        if (this.options.iam?.decide(principal, listing) !== 'Allowed') throw new AwsServiceError('AccessDenied', 'Access Denied', 403);
      };
      try {
        reply = await provider.handle({ ...request, body }, context);
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode === 404) hideMissingKey();
        throw error;
      }
      if (reply.status === 404) hideMissingKey();
    } catch (error) {
      // A service error (a 4xx of the provider's own, or of the signature check) is the caller's; anything else is a
      // bug of the emulator: logged in full, answered as a generic 500.
      const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
      const expected = error instanceof AwsServiceError || error instanceof BodyTooLarge || (typeof status === 'number' && status < 500);
      if (!expected) this.logger('unexpected failure while serving a request', error);
      reply = provider.errorResponse(error, request, requestId);
    }
    if (res.writableEnded || res.destroyed) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = reply.body === undefined ? undefined : typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    const headers: Record<string, string | number> = { ...reply.headers };
    // HEAD answers carry the object's length without its bytes.
    if (!('Content-Length' in headers)) headers['Content-Length'] = body?.length ?? 0;
    res.writeHead(reply.status, headers);
    res.end(method.toUpperCase() === 'HEAD' ? undefined : body);
  }

  private replyWithError(res: ServerResponse, error: unknown, requestContentType: string | undefined): void {
    let status: number;
    let code: string;
    let message: string;
    if (error instanceof AwsServiceError) {
      ({ statusCode: status, code, message } = error);
    } else if (error instanceof BodyTooLarge) {
      [status, code, message] = [413, 'RequestEntityTooLargeException', error.message];
    } else {
      // Anything unexpected is a bug of the emulator: log it in full, answer a generic 500.
      this.logger('unexpected failure while serving a request', error);
      [status, code, message] = [500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'];
    }
    const type = requestContentType?.split(';')[0].trim().toLowerCase();
    const replyType = type && JSON_CONTENT_TYPES[type] ? type : 'application/x-amz-json-1.1';
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.setHeader('x-amzn-ErrorType', code);
    send(res, status, replyType, JSON.stringify({ __type: code, message }));
  }
}

/** The object key of a path-style S3 path (`/<bucket>/<key>`), percent-decoded. */
function keyOf(path: string): string {
  const key = path.split('/').slice(2).join('/');
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** The JSON protocols send `{}` for operations without input; an empty body is the same. */
function parseInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new AwsServiceError('SerializationException', `Malformed JSON request body: ${(error as Error).message}`, 400);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'The request body must be a JSON object.', 400);
  }
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, contentType: string, payload: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** Creates and starts an endpoint in one call. */
export async function startAwsEndpoint(options: AwsEndpointOptions = {}): Promise<AwsEndpoint> {
  const endpoint = new AwsEndpoint(options);
  await endpoint.start();
  return endpoint;
}
