/**
 * The local AWS endpoint speaks the AWS JSON protocols: checked with the real SDK client and with hand-signed
 * requests for the cases the SDK never produces (unknown targets, malformed JSON, unsigned requests).
 */
import { ECSClient, ListClustersCommand, CreateClusterCommand } from '@aws-sdk/client-ecs';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Faults } from '../../../../local/faults/faults';
import { AwsEndpoint } from '../../../../local/aws/server';
import { AwsServiceError, type ServiceProvider } from '../../../../local/aws/protocol';
import { EcsSimulation } from '../../../../local/aws/ecs/simulation';

const ECS = 'AmazonEC2ContainerServiceV20141113';

/** A tiny JSON 1.0 service to exercise dispatch independently of ECS. */
const echoProvider: ServiceProvider = {
  targetPrefix: 'LocalEcho_20240101',
  jsonVersion: '1.0',
  signingName: 'echo',
  operations: {
    Echo: (input, ctx) => ({ input, region: ctx.region, account: ctx.accountId, requestId: ctx.requestId }),
    Refuse: () => {
      throw new AwsServiceError('ResourceNotFoundException', 'nothing here', 404);
    },
    Explode: () => {
      throw new TypeError('a bug in a provider');
    },
  },
};

interface RawReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  url: string,
  target: string | undefined,
  body: string,
  options: { contentType?: string; secret?: string; accessKey?: string; service?: string; region?: string; sign?: boolean } = {},
): Promise<RawReply> {
  const { host, port } = new URL(url);
  const headers: Record<string, string> = { host, 'content-type': options.contentType ?? 'application/x-amz-json-1.0' };
  if (target) headers['x-amz-target'] = target;
  let signedHeaders = headers;
  if (options.sign !== false) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: options.accessKey ?? 'test', secretAccessKey: options.secret ?? 'test' },
      region: options.region ?? 'us-east-1',
      service: options.service ?? 'echo',
      sha256: Sha256,
    });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: host.split(':')[0], port: Number(port), path: '/', query: {}, headers, body });
    signedHeaders = signed.headers;
  }
  const { host: _host, ...sendable } = signedHeaders;
  const response = await fetch(`${url}/`, { method: 'POST', headers: sendable, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('local AWS endpoint', () => {
  const faults = new Faults(42);
  const ecs = new EcsSimulation({ faults, delays: { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0 } });
  const logged: unknown[] = [];
  const endpoint = new AwsEndpoint({
    port: 0,
    faults,
    providers: [ecs.provider, echoProvider],
    logger: (_message, error) => logged.push(error),
    extraRoutes: (req, res) => {
      if (req.method !== 'GET' || req.url !== '/_local/health') return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      return true;
    },
  });
  const client = () =>
    new ECSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  beforeAll(() => endpoint.start());
  afterEach(() => faults.reset());
  afterAll(async () => {
    ecs.close();
    await endpoint.stop();
  });

  it('serves a real SDK client signed with the local credentials', async () => {
    const ecsClient = client();
    await ecsClient.send(new CreateClusterCommand({ clusterName: 'sdk-check' }));
    const listed = await ecsClient.send(new ListClustersCommand({}));
    expect(listed.clusterArns).toContain('arn:aws:ecs:us-east-1:000000000000:cluster/sdk-check');
    expect(listed.$metadata.httpStatusCode).toBe(200);
    expect(listed.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    ecsClient.destroy();
  });

  it('accepts any region and keeps each region apart', async () => {
    const west = new ECSClient({ endpoint: endpoint.url, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const created = await west.send(new CreateClusterCommand({ clusterName: 'west-only' }));
    expect(created.cluster?.clusterArn).toBe('arn:aws:ecs:eu-west-1:000000000000:cluster/west-only');
    const eastClient = client();
    expect((await eastClient.send(new ListClustersCommand({}))).clusterArns).not.toContain(created.cluster?.clusterArn);
    west.destroy();
    eastClient.destroy();
  });

  it('rejects a request signed with the wrong secret with InvalidSignatureException', async () => {
    const wrong = new ECSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'nope' } });
    await expect(wrong.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    wrong.destroy();
  });

  it('rejects an unknown access key with UnrecognizedClientException', async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}', { accessKey: 'AKIAOTHER' });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    expect(reply.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
  });

  it('rejects an unsigned request with MissingAuthenticationTokenException', async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}', { sign: false });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('rejects a body altered after signing', async () => {
    const { host } = new URL(endpoint.url);
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'echo', sha256: Sha256 });
    const headers = { host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'LocalEcho_20240101.Echo' };
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: host.split(':')[0], path: '/', query: {}, headers, body: '{"a":1}' });
    const { host: _host, ...sendable } = signed.headers;
    const response = await fetch(`${endpoint.url}/`, { method: 'POST', headers: sendable, body: '{"a":2}' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('rejects a signature scoped to another service', async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}', { service: 'ssm' });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringContaining("'echo'") });
  });

  it('dispatches by X-Amz-Target and answers with the request content type, a request ID and the caller region', async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Echo', '{"hello":"world"}', { region: 'ap-south-1' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    const requestId = reply.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.body).toEqual({ input: { hello: 'world' }, region: 'ap-south-1', account: '000000000000', requestId });

    const v11 = await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}', { contentType: 'application/x-amz-json-1.1' });
    expect(v11.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  });

  it('answers an unknown operation or target prefix with UnknownOperationException', async () => {
    const unknownOperation = await call(endpoint.url, 'LocalEcho_20240101.Nope', '{}');
    expect(unknownOperation.status).toBe(400);
    expect(unknownOperation.body).toEqual({ __type: 'UnknownOperationException', message: "Operation 'Nope' is not supported by LocalEcho_20240101." });

    const unknownPrefix = await call(endpoint.url, 'AmazonNothing_20000101.Foo', '{}');
    expect(unknownPrefix.status).toBe(400);
    expect(unknownPrefix.body.__type).toBe('UnknownOperationException');
    expect(unknownPrefix.body.message).toContain('AmazonNothing_20000101');

    const notAnOperation = await call(endpoint.url, 'LocalEcho_20240101.toString', '{}');
    expect(notAnOperation.body.__type).toBe('UnknownOperationException');
  });

  it('answers malformed JSON with SerializationException', async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Echo', '{"unterminated": ');
    expect(reply.status).toBe(400);
    expect(reply.body.__type).toBe('SerializationException');
    const array = await call(endpoint.url, 'LocalEcho_20240101.Echo', '[1,2]');
    expect(array.body.__type).toBe('SerializationException');
  });

  it("passes a provider's AwsServiceError through with its status and code", async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Refuse', '{}');
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ __type: 'ResourceNotFoundException', message: 'nothing here' });
    expect(reply.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(reply.headers.get('x-amzn-requestid')).toBeTruthy();
  });

  it('turns an unexpected exception into a logged 500 InternalFailure and keeps serving', async () => {
    const reply = await call(endpoint.url, 'LocalEcho_20240101.Explode', '{}');
    expect(reply.status).toBe(500);
    expect(reply.body.__type).toBe('InternalFailure');
    expect(JSON.stringify(reply.body)).not.toContain('a bug in a provider');
    expect(logged.some((error) => error instanceof TypeError)).toBe(true);
    expect((await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}')).status).toBe(200);
  });

  it('lets extra routes answer non-AWS requests first', async () => {
    const health = await fetch(`${endpoint.url}/_local/health`);
    expect(await health.json()).toEqual({ ok: true });
    const other = await fetch(`${endpoint.url}/elsewhere`);
    expect(other.status).toBe(404);
    expect((await other.json()).__type).toBe('UnknownOperationException');
  });

  it('counts every dispatched call per target', async () => {
    endpoint.resetCallCounts();
    await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}');
    await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}');
    await call(endpoint.url, 'LocalEcho_20240101.Refuse', '{}');
    expect(endpoint.callCounts()).toEqual({ 'LocalEcho_20240101.Echo': 2, 'LocalEcho_20240101.Refuse': 1 });
  });

  it('answers injected throttling with ThrottlingException "Rate exceeded"', async () => {
    faults.set({ throttleShare: 1 });
    const noRetry = new ECSClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    await expect(noRetry.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    noRetry.destroy();
  });

  it("is absorbed by the SDK's retries when half the calls are throttled", async () => {
    faults.set({ throttleShare: 0.5, throttleTargets: [`${ECS}.ListClusters`] });
    endpoint.resetCallCounts();
    const retrying = new ECSClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      // The SDK's standard strategy with a short backoff: the test stays fast, the retry logic is the SDK's.
      retryStrategy: new ConfiguredRetryStrategy(10, (attempt) => 5 * attempt),
    });
    const calls = 20;
    const results = await Promise.all(Array.from({ length: calls }, () => retrying.send(new ListClustersCommand({}))));
    retrying.destroy();
    const attempts = endpoint.callCounts()[`${ECS}.ListClusters`];
    const throttled = endpoint.throttledCounts()[`${ECS}.ListClusters`];
    expect(results.every((result) => Array.isArray(result.clusterArns))).toBe(true);
    expect(throttled).toBeGreaterThan(0);
    expect(attempts).toBe(calls + throttled);
    expect(results.reduce((sum, result) => sum + (result.$metadata.attempts ?? 1) - 1, 0)).toBe(throttled);
  });

  it('adds the injected latency before answering', async () => {
    faults.set({ latencyMs: 120 });
    const started = Date.now();
    await call(endpoint.url, 'LocalEcho_20240101.Echo', '{}');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});
