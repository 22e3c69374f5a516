import type { DeploymentDescription, DeploymentListing, StartRequest, StartedDeployment } from '../../../layers/executions/backend';
import type { DeploymentListPage } from '../../../layers/executions/sfn-backend';
import type { ApiDeps, DeploymentStore } from '../../../layers/api/deps';
import { buildRouter, handleApiEvent, type ApiLogger } from '../../../layers/api/router';
import { ConcurrentOperationError, NotFoundError } from '../../../layers/errors';
import { createS3Api } from '../../../layers/adapters/s3';
import { createSfnApi } from '../../../layers/adapters/sfn';
import { createSsmApi } from '../../../layers/adapters/ssm';

export const MESH = 'reference-mesh';

/** A JSON answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON answers
export type Json = any;

/** A payload 2.0 event as API Gateway (and the local HTTP API) builds it, after the authorizer allowed it. */
export function v2Event(options: {
  method: string;
  path: string;
  body?: string;
  base64?: boolean;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  authorized?: boolean;
}): Record<string, unknown> {
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString,
    headers: { host: 'api.test', 'x-forwarded-proto': 'https', ...(options.headers ?? {}) },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: { method: options.method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: `${options.method} ${options.path}`,
      stage: '$default',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 0,
      ...(options.authorized === false ? {} : { authorizer: { lambda: { principal: 'mesh-api-token' } } }),
    },
    ...(options.body !== undefined ? { body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body } : {}),
    isBase64Encoded: options.body !== undefined && options.base64 === true,
  };
}

export class RecordingLogger implements ApiLogger {
  readonly lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  debug(message: string, ...a: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'debug', message, attributes: Object.assign({}, ...a) });
  }
  info(message: string, ...a: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'info', message, attributes: Object.assign({}, ...a) });
  }
  warn(message: string, ...a: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'warn', message, attributes: Object.assign({}, ...a) });
  }
  error(message: string, ...a: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'error', message, attributes: Object.assign({}, ...a) });
  }
}

/** Deployments kept in memory, with the start decision of the real store (one per mesh, same spec joins). */
export class FakeDeploymentStore implements DeploymentStore {
  readonly started: StartRequest[] = [];
  readonly executions: Array<DeploymentListing & { mesh: string }> = [];

  async start(request: StartRequest): Promise<StartedDeployment> {
    const running = this.executions.filter((e) => e.mesh === request.mesh && e.status === 'RUNNING');
    const same = running.find((e) => e.specHash12 === request.specHash12);
    if (same) return { id: same.id, name: same.name, deploymentId: same.deploymentId as string, attached: true };
    if (running.length > 0) throw new ConcurrentOperationError(`another deployment of mesh "${request.mesh}" is running`);
    this.started.push(request);
    const name = `${request.mesh}-${request.specHash12}-${request.deploymentId.slice(2)}`;
    const id = `arn:aws:states:us-east-1:000000000000:execution:deploy:${name}`;
    this.executions.unshift({ id, name, status: 'RUNNING', deploymentId: request.deploymentId, specHash12: request.specHash12, mesh: request.mesh, startedAt: new Date(0) });
    return { id, name, deploymentId: request.deploymentId, attached: false };
  }

  async list(): Promise<DeploymentListing[]> {
    return [...this.executions];
  }

  async listPage(request: { status?: string; maxResults?: number; nextToken?: string }): Promise<DeploymentListPage> {
    const all = this.executions.filter((e) => !request.status || e.status === request.status);
    const from = request.nextToken ? Number(request.nextToken) : 0;
    const size = request.maxResults ?? 100;
    const items = all.slice(from, from + size);
    return { items, ...(from + size < all.length ? { nextToken: String(from + size) } : {}) };
  }

  async describe(id: string): Promise<DeploymentDescription> {
    const e = this.executions.find((x) => x.id === id);
    if (!e) throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
    return { id, name: e.name, status: e.status, deploymentId: e.deploymentId, mesh: e.mesh, startedAt: e.startedAt };
  }

  async history(): Promise<[]> {
    return [];
  }

  async resolveId(reference: string): Promise<string> {
    const e = this.executions.find((x) => x.deploymentId === reference);
    if (!e) throw new NotFoundError(`no execution for ${reference}`);
    return e.id;
  }
}

/** An SDK client whose every call is recorded and answered by `answer` (throws for calls a test does not expect). */
export function fakeClient(answer: (command: { constructor: { name: string }; input: unknown }) => unknown = () => {
  throw new Error('unexpected AWS call');
}) {
  const calls: Array<{ command: string; input: unknown }> = [];
  return {
    calls,
    async send(command: { constructor: { name: string }; input: unknown }) {
      calls.push({ command: command.constructor.name, input: command.input });
      return answer(command);
    },
  };
}

export function fakeDeps(overrides: Partial<ApiDeps> = {}): ApiDeps & { store: FakeDeploymentStore } {
  const store = new FakeDeploymentStore();
  let n = 0;
  return {
    meshName: MESH,
    deployStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:deploy',
    rolloutStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:rollout',
    deployments: store,
    // No rollout runs unless a test says so.
    sfn: createSfnApi(
      fakeClient((command) => {
        if (command.constructor.name === 'ListExecutionsCommand') return { executions: [] };
        throw new Error('unexpected AWS call');
      }) as never,
    ),
    ssm: createSsmApi(fakeClient() as never),
    ecs: {
      describeServices: async () => {
        throw new Error('unexpected ECS call');
      },
      serviceTasks: async () => {
        throw new Error('unexpected ECS call');
      },
    },
    consul: async () => {
      throw Object.assign(new Error('Consul is not reachable in this test'), { name: 'ConsulUnavailable' });
    },
    // Every build context is in the bucket unless a test says otherwise (HeadObject answers).
    buildSources: { s3: createS3Api(fakeClient(() => ({})) as never), bucket: 'build-sources' },
    defaults: { pollSeconds: 5, maxRounds: 100 },
    planner: () => {
      throw new Error('unexpected plan');
    },
    now: () => new Date('2025-03-04T05:06:07Z'),
    randomSuffix: () => `abc${String(n++).padStart(3, '0')}`,
    store,
    ...overrides,
  };
}

/** Resolves an event through the router (as the Lambda handler does) and reads the answer back. */
export async function call(deps: ApiDeps, event: Record<string, unknown>, logger = new RecordingLogger()) {
  const app = buildRouter(() => deps, logger);
  const result = (await handleApiEvent(app, event, {} as never, logger)) as { statusCode: number; body?: string; headers?: Record<string, string> };
  return { status: result.statusCode, body: result.body ? (JSON.parse(result.body) as Json) : undefined, headers: result.headers ?? {}, logger };
}
