import { z } from 'zod';
import type { MeshView } from '../layers/api/mesh';
import type { ActivityList } from '../layers/api/activity';
import type { DeploymentBackend, DeploymentDescription, DeploymentListing, DeploymentStatus, ListFilter, StartRequest, StartedDeployment } from '../layers/executions/backend';
import { isDeploymentId, parseExecutionName } from '../layers/executions/execution-name';
import type { ImageProgress, ServiceProgress, StageProgress } from '../layers/executions/progress';
import {
  DeploymentListSchema,
  DeploymentViewSchema,
  DestroyViewSchema,
  ErrorBodySchema,
  RolloutViewSchema,
  RotationStartedSchema,
  RotationViewSchema,
  StartedSchema,
  ChangeSetSchema,
  CancelledOperationSchema,
  OperationListSchema,
  type CancelledOperation,
  type OperationItem,
  type RotationStarted,
  type RotationView,
  type DestroyView,
  type RolloutView,
  type Started,
} from '../layers/api/contract';
import { ConcurrentOperationError, InvalidInputError, NotFoundError, RotationNotSupportedError, SpecInvalidError } from '../layers/errors';
import { AlreadyEndedError } from '../layers/errors';
import type { ChangeSet } from '../layers/deploy/change-set';
import type { RolloutRequest } from '../layers/rollout/types';

/** The local cloud's HTTP API (DESIGN.md section 4), where meshctl goes when told nothing else. */
export const LOCAL_API_URL = 'http://127.0.0.1:3000';
/** The documented token of the local cloud (README), used only for a local URL (backend-factory's isLocalApiUrl). */
export const LOCAL_API_TOKEN = 'local-dev-token-change-me';

export interface HttpApiOptions {
  url: string;
  token: string;
  fetch?: typeof fetch;
  /** Per-request timeout: API Gateway gives up after 30 s anyway. */
  timeoutMs?: number;
}

/** The API answered with an error the commands have no better name for; carries the status and the API's code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API refused the credentials (401 no token reached it, 403 the token is wrong). */
export class ApiAuthError extends Error {
  override readonly name = 'ApiAuthError';
}

/** Nothing answered at the API's address. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachable';
}

/**
 * Deployments and rollouts through the HTTP API: `POST /deployments`, `GET /deployments/{id}` (which carries the
 * per-stage progress, so `history` has nothing to add), `GET /deployments`, and the rollout routes. The token
 * travels in `Authorization: Bearer` and appears in no message.
 */
/** The answer of GET /mesh, checked loosely: the API owns its exact shape (layers/api/mesh.ts). */
const ActivityListSchema = z.looseObject({ items: z.array(z.looseObject({ kind: z.enum(['task', 'reconcile']), time: z.string() })), since: z.string(), complete: z.boolean(), truncated: z.boolean() });
const MeshViewSchema = z.looseObject({ mesh: z.string(), consul: z.looseObject({ leader: z.string(), peers: z.array(z.string()) }), clusters: z.array(z.looseObject({ name: z.string() })) });

export class HttpApiBackend implements DeploymentBackend {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: HttpApiOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
  }

  async start(request: StartRequest): Promise<StartedDeployment> {
    const { settings, spec } = request.input;
    const query = `?pollSeconds=${settings.pollSeconds}&maxRounds=${settings.maxRounds}`;
    const started = await this.call('POST', `/deployments${query}`, StartedSchema, spec);
    return { id: started.id, name: started.execution, deploymentId: started.id, attached: started.attached === true };
  }

  async describe(id: string): Promise<DeploymentDescription> {
    const view = await this.call('GET', `/deployments/${encodeURIComponent(id)}`, DeploymentViewSchema);
    const status = view.executionStatus as DeploymentStatus;
    const executionError = view.error || view.cause ? { error: view.error, cause: view.cause } : undefined;
    return {
      id: view.id,
      name: view.execution,
      status,
      deploymentId: view.id,
      mesh: view.mesh,
      startedAt: view.startedAt ? new Date(view.startedAt) : undefined,
      stoppedAt: view.stoppedAt ? new Date(view.stoppedAt) : undefined,
      output: view.summary,
      error: view.error,
      cause: view.cause,
      progress: {
        status,
        // The schema checked the members the views read; the API sends the progress types whole.
        stages: view.stages as StageProgress[],
        services: view.services as ServiceProgress[],
        images: view.images as ImageProgress[],
        consul: view.consul,
        executionError,
        output: view.summary,
        lastEventId: 0,
        eventStates: {},
      },
    };
  }

  /** The API's answer already holds the progress derived from the whole history. */
  async history(): Promise<[]> {
    return [];
  }

  async list(filter: ListFilter): Promise<DeploymentListing[]> {
    const found: DeploymentListing[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const params = new URLSearchParams();
      if (filter.mesh) params.set('mesh', filter.mesh);
      if (filter.status && ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED'].includes(filter.status)) params.set('status', filter.status);
      params.set('limit', String(Math.min(100, filter.limit ?? 100)));
      if (nextToken) params.set('nextToken', nextToken);
      const page = await this.call('GET', `/deployments?${params.toString()}`, DeploymentListSchema);
      for (const item of page.items) {
        found.push({
          id: item.id,
          name: item.execution,
          status: (item.status === 'ROLLED_BACK' ? 'FAILED' : item.status) as DeploymentStatus,
          startedAt: item.startedAt ? new Date(item.startedAt) : undefined,
          stoppedAt: item.stoppedAt ? new Date(item.stoppedAt) : undefined,
          deploymentId: item.id,
          specHash12: item.specHash,
        });
        if (filter.limit !== undefined && found.length >= filter.limit) return found;
      }
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < 20);
    return found;
  }

  /** A deployment id as it is; an execution name or ARN made by meshctl or the API, by the id it carries. */
  async resolveId(reference: string): Promise<string> {
    if (isDeploymentId(reference)) return reference;
    const name = reference.startsWith('arn:') ? reference.slice(reference.lastIndexOf(':') + 1) : reference;
    const parsed = parseExecutionName(name);
    if (!parsed) throw new NotFoundError(`"${reference}" is neither a deployment id (d-<yyyymmddHHMMss>-<6 characters>) nor a deployment's execution name`);
    return parsed.deploymentId;
  }

  /** POST /deployments/{id}/cancel: the API stops the execution and releases the mesh lock. */
  async cancel(id: string): Promise<void> {
    await this.call('POST', `/deployments/${encodeURIComponent(id)}/cancel`, StartedSchema);
  }

  /** GET /operations: the deployments, rollouts, rotations and teardowns that run now in the mesh. */
  async listOperations(): Promise<OperationItem[]> {
    return (await this.call('GET', '/operations', OperationListSchema)).items;
  }

  /** POST /operations/{id}/cancel: stops the operation of any kind and releases its locks; says what it leaves. */
  async cancelOperation(id: string): Promise<CancelledOperation> {
    return this.call('POST', `/operations/${encodeURIComponent(id)}/cancel`, CancelledOperationSchema);
  }

  /** POST /services/{service}/rollouts. */
  async startRollout(service: string, request: RolloutRequest, settings: { pollSeconds: number; maxRounds: number }): Promise<Started> {
    const query = `?pollSeconds=${settings.pollSeconds}&maxRounds=${settings.maxRounds}`;
    return this.call('POST', `/services/${encodeURIComponent(service)}/rollouts${query}`, StartedSchema, request);
  }

  /** GET /services/{service}/rollouts/{id}. */
  /** GET /mesh: clusters, services, tasks and their Consul registrations. */
  async getMesh(): Promise<MeshView> {
    // Only the envelope is checked here; the rest is the API's own MeshView.
    return (await this.call('GET', '/mesh', MeshViewSchema)) as unknown as MeshView;
  }

  /** GET /activity: the orchestrator's recent decisions, newest first (the API validates and bounds the query). */
  async getActivity(query: { since?: string; limit?: number; service?: string; outcome?: string; kind?: string }): Promise<ActivityList> {
    const params = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
    return (await this.call('GET', `/activity${params.size > 0 ? `?${params.toString()}` : ''}`, ActivityListSchema)) as unknown as ActivityList;
  }

  /** POST /plans: the change set a deployment of the spec would make now (nothing is written). */
  async plan(spec: unknown): Promise<ChangeSet> {
    return (await this.call('POST', '/plans', ChangeSetSchema, spec)) as ChangeSet;
  }

  async getRollout(service: string, id: string): Promise<RolloutView> {
    return this.call('GET', `/services/${encodeURIComponent(service)}/rollouts/${encodeURIComponent(id)}`, RolloutViewSchema);
  }

  /** POST /rotations. */
  async startRotation(secret: string, settings: { pollSeconds: number; maxRounds: number }): Promise<RotationStarted> {
    return this.call('POST', `/rotations?pollSeconds=${settings.pollSeconds}&maxRounds=${settings.maxRounds}`, RotationStartedSchema, { secret });
  }

  /** GET /rotations/{id}. */
  async getRotation(id: string): Promise<RotationView> {
    return this.call('GET', `/rotations/${encodeURIComponent(id)}`, RotationViewSchema);
  }

  /** DELETE /mesh: start a teardown (the mesh, `purge`, optionally its spec). */
  async startDestroy(request: { mesh: string; purge: boolean; spec?: Record<string, unknown> }, settings: { pollSeconds: number; maxRounds: number }): Promise<Started> {
    const query = `?pollSeconds=${settings.pollSeconds}&maxRounds=${settings.maxRounds}`;
    return this.call('DELETE', `/mesh${query}`, StartedSchema, request);
  }

  /** GET /mesh/destroys/{id}. */
  async getDestroy(id: string): Promise<DestroyView> {
    return this.call('GET', `/mesh/destroys/${encodeURIComponent(id)}`, DestroyViewSchema);
  }

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    let response: Response;
    try {
      response = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 35_000),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new ApiUnreachableError(`cannot reach the HTTP API at ${this.base}${typeof code === 'string' ? ` (${code})` : ''}: is the local cloud running (npm start), or is --api-url / MESH_API_URL right?`, { cause: error });
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) throw toError(response.status, json, method, path);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(response.status, 'UnexpectedResponse', `${method} ${path} answered ${response.status} with a body this meshctl does not understand`);
    return parsed.data;
  }
}

/** The API's error body → the named errors the commands already handle. */
function toError(status: number, json: unknown, method: string, path: string): Error {
  const body = ErrorBodySchema.safeParse(json);
  const code = body.success ? body.data.error.code : String((json as { message?: unknown } | undefined)?.message ?? 'Error');
  const message = body.success ? body.data.error.message : `${method} ${path} answered ${status}`;
  const details = body.success ? (body.data.error.details ?? []) : [];
  if (status === 401) return new ApiAuthError('the HTTP API wants a token (401): pass --token or set MESH_API_TOKEN');
  if (status === 403) return new ApiAuthError('the HTTP API refused the token (403): check --token / MESH_API_TOKEN');
  if (code === 'ConcurrentOperation') return new ConcurrentOperationError(message);
  if (code === 'NotFound') return new NotFoundError(message);
  if (code === 'AlreadyEnded') return new AlreadyEndedError(message);
  if (code === 'SpecInvalid') return new SpecInvalidError(details);
  if (code === 'RotationNotSupported') return new RotationNotSupportedError(message);
  if (status === 400) return new InvalidInputError(message.split(':')[0], details);
  // The API's 503 says only that a dependency is down (its details stay in its log). Consul without a leader is the
  // usual one, and trying again does not help when no mesh runs: before its first deployment, or after a teardown.
  if (status === 503) {
    return new ApiError(status, code, `${message} (HTTP 503: Consul or AWS did not answer; Consul has no leader until the mesh's first deployment and after a teardown: meshctl status shows the latest deployment)`);
  }
  return new ApiError(status, code, message);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
