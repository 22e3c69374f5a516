import { LocalCloud } from '@consul-mesh/local-cloud';
import { apiAppDir } from './app';
import { startLocalCloud } from '../../../cli/local-cloud';
import { testCloudOptions } from '../../support/test-cloud';

/** The token the tests' local cloud accepts (given to every function, as MESH_API_TOKEN is in the local cloud). */
export const TOKEN = 'api-test-token-0123456789abcdef';

/** A local cloud serving the API's serverless.yml on free ports, with no simulated delays. */
export async function startApiCloud(): Promise<LocalCloud> {
  return startLocalCloud({
    ...testCloudOptions(apiAppDir()),
    functionEnvironment: { MESH_API_TOKEN: TOKEN, LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
}

/** A JSON answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON answers
export type Json = any;

export interface ApiAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

/** A real HTTP request to the local API (fetch), with the token unless `token` says otherwise. */
export async function api(cloud: LocalCloud, path: string, init: RequestInit & { token?: string | null } = {}): Promise<ApiAnswer> {
  const { token = TOKEN, headers, ...rest } = init;
  const response = await fetch(`${cloud.endpoints.httpApi}${path}`, {
    ...rest,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...((headers as Record<string, string>) ?? {}) },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body, headers: response.headers };
}

export const asJson = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** Polls a GET until its `status` leaves RUNNING (bounded). */
export async function until(cloud: LocalCloud, path: string, done: (body: Json) => boolean = (b) => b.status !== 'RUNNING', timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await api(cloud, path);
    if (answer.status === 200 && done(answer.body)) return answer.body;
    if (Date.now() > deadline) throw new Error(`${path} still ${JSON.stringify(answer.body).slice(0, 300)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Calls that change something in ECS, SSM, CodeBuild or Step Functions. */
export function writeCalls(counts: Record<string, number>): Record<string, number> {
  const writes = /\.(Create|Register|Update|Delete|Deregister|Run|Stop|Start|Tag|Put|Label)[A-Za-z]*$/;
  return Object.fromEntries(Object.entries(counts).filter(([target, n]) => n > 0 && writes.test(target)));
}
