/**
 * A minimal AWS JSON-protocol endpoint for integration tests, so they can drive providers with the real SDK
 * clients over HTTP: `POST /`, operation from `X-Amz-Target: <targetPrefix>.<Operation>`, errors as the status of
 * the `AwsServiceError` with `{"__type", "message"}`. Signatures are not checked; the region is read from the
 * SigV4 credential scope when present.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, LOCAL_ACCOUNT_ID, type ServiceProvider } from '../../../../local/aws/protocol';

export interface TestEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startTestEndpoint(providers: readonly ServiceProvider[]): Promise<TestEndpoint> {
  const byPrefix = new Map(providers.map((p) => [p.targetPrefix, p]));
  const server = createServer((req, res) => {
    void handle(byPrefix, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(byPrefix: Map<string, ServiceProvider>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const target = String(req.headers['x-amz-target'] ?? '');
  const [prefix, operation] = target.split('.');
  const provider = byPrefix.get(prefix);
  const contentType = `application/x-amz-json-${provider?.jsonVersion ?? '1.1'}`;
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': requestId });
    res.end(JSON.stringify(body));
  };
  try {
    const body = await readBody(req);
    if (req.method !== 'POST' || !provider) throw new AwsServiceError('UnknownOperationException', `Unknown target: ${target}`);
    const handler = provider.operations[operation];
    if (!handler) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation} for ${prefix}`);
    const input: unknown = body === '' ? {} : JSON.parse(body);
    const result = await handler(input as Record<string, unknown>, { region: regionOf(req), accountId: LOCAL_ACCOUNT_ID, requestId });
    send(200, result ?? {});
  } catch (error) {
    if (error instanceof AwsServiceError) send(error.statusCode, { __type: error.code, message: error.message });
    else send(500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `Credential=<key>/<date>/<region>/<service>/aws4_request` */
function regionOf(req: IncomingMessage): string {
  const match = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  return match ? match[1] : 'us-east-1';
}
