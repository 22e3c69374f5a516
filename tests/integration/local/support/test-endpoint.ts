/**
 * A minimal AWS JSON-protocol endpoint for integration tests of single services.
 *
 * It serves `POST /` exactly as the real local endpoint does for the parts these tests rely on: the operation
 * comes from `X-Amz-Target: <targetPrefix>.<Operation>`, the region from the SigV4 credential scope (signatures
 * are not verified), errors are `{"__type", "message"}` with the error's status. The real server
 * (`local/aws/server.ts`) replaces it once it exists.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AwsServiceError, LOCAL_ACCOUNT_ID, type ServiceProvider } from '../../../../local/aws/protocol';

export interface TestEndpoint {
  /** e.g. `http://127.0.0.1:54321`; pass it as the SDK client's `endpoint`. */
  readonly url: string;
  close(): Promise<void>;
}

/** SDK client settings for the test endpoint: local credentials, one attempt (tests assert on the first answer). */
export function clientConfig(endpoint: TestEndpoint, region = 'us-east-1') {
  return {
    endpoint: endpoint.url,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

/** The SigV4 credential scope is `<key>/<date>/<region>/<service>/aws4_request`. */
function regionOf(req: IncomingMessage): string {
  const match = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return match?.[1] ?? 'us-east-1';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, jsonVersion: string, body: unknown): void {
  res.writeHead(status, { 'content-type': `application/x-amz-json-${jsonVersion}` });
  res.end(JSON.stringify(body ?? {}));
}

/** Start the endpoint on 127.0.0.1 and a free port. */
export async function startTestEndpoint(providers: ServiceProvider[]): Promise<TestEndpoint> {
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      const provider = providers.find((p) => p.targetPrefix === target.slice(0, dot));
      const jsonVersion = provider?.jsonVersion ?? '1.1';
      const handler = provider?.operations[target.slice(dot + 1)];
      if (req.method !== 'POST' || !handler) {
        send(res, 400, jsonVersion, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
        return;
      }
      try {
        const text = await readBody(req);
        const input = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        const ctx = { region: regionOf(req), accountId: LOCAL_ACCOUNT_ID, requestId: randomUUID() };
        send(res, 200, jsonVersion, await handler(input, ctx));
      } catch (error) {
        if (error instanceof AwsServiceError) {
          send(res, error.statusCode, jsonVersion, { __type: error.code, message: error.message });
        } else {
          send(res, 500, jsonVersion, { __type: 'InternalFailure', message: String(error) });
        }
      }
    })();
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
