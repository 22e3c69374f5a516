import type { MeshView } from '../../layers/api/mesh';
import type { ActivityList } from '../../layers/api/activity';
import type { RolloutView } from '../../layers/api/contract';
import type { ImageProgress, ServiceProgress, StageProgress } from '../../layers/executions/progress';

/**
 * The dashboard's data: the HTTP API through the `meshctl ui` server, which adds the bearer token (cli/ui/server.ts).
 * Every write carries `X-Mesh-UI: 1`, without which the server refuses it (no other page can borrow the token).
 */
export type { MeshView, RolloutView, ActivityList };

/** GET /activity's filters (the API checks them; an empty one is left out). */
export interface ActivityFilter {
  service?: string;
  outcome?: string;
  kind?: 'task' | 'reconcile';
  limit?: number;
}

/**
 * GET /deployments/{id} (layers/api/contract.ts's DeploymentViewSchema, written out: the schema's loose object
 * types every member not named there as unknown).
 */
export interface DeploymentView {
  id: string;
  mesh?: string;
  status: string;
  execution: string;
  executionStatus: string;
  startedAt?: string;
  stoppedAt?: string;
  stages: StageProgress[];
  services: ServiceProgress[];
  images: ImageProgress[];
  consul?: { leader: string; peers: string[] };
  /** The peering stage's peers: what it did for each (token-generated, established, deleted...) and its state. */
  peerings?: Array<{ name: string; role: string; action?: string; state?: string }>;
  summary?: unknown;
  failure?: { stage?: string; error?: string; message?: string };
  error?: string;
  cause?: string;
}

export interface DeploymentItem {
  id: string;
  mesh?: string;
  status: string;
  execution: string;
  startedAt?: string;
  stoppedAt?: string;
}

export interface ChangeSet {
  mesh: string;
  specHash: string;
  changes: Array<{ kind: string; id: string; action: string; reasons: string[]; cluster?: string; role?: string; desiredCount?: number }>;
  refused: string[];
  noChange: boolean;
}

/** The API's error answer, or the server's own (ApiUnreachable). */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...((init.headers as Record<string, string>) ?? {}) };
  if (init.method && init.method !== 'GET') headers['x-mesh-ui'] = '1';
  const response = await fetch(`/api${path}`, { ...init, headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: Array<{ path: string; message: string }> }; message?: string } | undefined) ?? {};
    const details = error.error?.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new ApiCallError(response.status, error.error?.code ?? String(response.status), `${error.error?.message ?? error.message ?? response.statusText}${details ? ` (${details})` : ''}`);
  }
  return body as T;
}

export const api = {
  deployments: (limit = 25) => call<{ items: DeploymentItem[]; nextToken?: string }>(`/deployments?limit=${limit}`),
  deployment: (id: string) => call<DeploymentView>(`/deployments/${encodeURIComponent(id)}`),
  cancel: (id: string) => call<unknown>(`/deployments/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  plan: (spec: string) => call<ChangeSet>('/plans', { method: 'POST', body: spec, headers: { 'content-type': contentTypeOf(spec) } }),
  deploy: (spec: string) => call<{ id: string; status: string; attached?: boolean }>('/deployments', { method: 'POST', body: spec, headers: { 'content-type': contentTypeOf(spec) } }),
  mesh: () => call<MeshView>('/mesh'),
  activity: (filter: ActivityFilter) => {
    const query = new URLSearchParams(Object.entries(filter).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]])));
    return call<ActivityList>(`/activity?${query.toString()}`);
  },
  startRollout: (service: string, request: { image: string; desiredCount?: number; bakeSeconds?: number }) =>
    call<{ id: string; service: string; status: string }>(`/services/${encodeURIComponent(service)}/rollouts`, {
      method: 'POST',
      body: JSON.stringify(request),
      headers: { 'content-type': 'application/json' },
    }),
  rollout: (service: string, id: string) => call<RolloutView>(`/services/${encodeURIComponent(service)}/rollouts/${encodeURIComponent(id)}`),
};

/** A spec pasted as JSON or YAML: the API takes both, told apart by the content type. */
function contentTypeOf(spec: string): string {
  return spec.trimStart().startsWith('{') ? 'application/json' : 'application/yaml';
}
