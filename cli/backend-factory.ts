import type { DeploymentBackend } from '../layers/executions/backend';
import { StepFunctionsBackend } from '../layers/executions/sfn-backend';
import type { CliDeps } from './cli-deps';
import { HttpApiBackend, LOCAL_API_TOKEN, LOCAL_API_URL } from './http-backend';

export interface BackendOptions {
  /** Talk to Step Functions directly (AWS credentials needed): the deploy state machine's ARN. */
  stateMachineArn?: string;
  /** The HTTP API's base URL. */
  apiUrl?: string;
  /** The HTTP API's bearer token. */
  token?: string;
}

/**
 * The backend the commands talk to: the HTTP API (DESIGN.md section 4), unless told to use Step Functions
 * directly. In order: `--api-url` → the API; `--state-machine-arn` → Step Functions; `MESH_API_URL` → the API;
 * `DEPLOY_STATE_MACHINE_ARN` → Step Functions; otherwise the local cloud's API on 127.0.0.1:3000.
 */
export function createBackend(options: BackendOptions, deps: Pick<CliDeps, 'env' | 'clients' | 'fetch'>): DeploymentBackend {
  if (usesStepFunctions(options, deps.env)) {
    const stateMachineArn = options.stateMachineArn ?? (deps.env.DEPLOY_STATE_MACHINE_ARN as string);
    return new StepFunctionsBackend({ sfn: deps.clients().sfn, stateMachineArn });
  }
  return createApiBackend(options, deps);
}

/** True when the commands talk to Step Functions directly (see createBackend), not to the HTTP API. */
export function usesStepFunctions(options: BackendOptions, env: NodeJS.ProcessEnv): boolean {
  return !options.apiUrl && Boolean(options.stateMachineArn || (!env.MESH_API_URL && env.DEPLOY_STATE_MACHINE_ARN));
}

/**
 * The HTTP API client: URL from `--api-url`, `MESH_API_URL` or the local default; token from `--token`,
 * `MESH_API_TOKEN`, or, for a local URL only (see isLocalApiUrl), the local cloud's documented default token.
 * @throws MissingTokenError when a non-local URL has no token.
 */
export function createApiBackend(options: BackendOptions, deps: Pick<CliDeps, 'env' | 'fetch'>): HttpApiBackend {
  return new HttpApiBackend({ ...resolveApiTarget(options, deps.env), fetch: deps.fetch });
}

/**
 * The HTTP API's URL and token as every command resolves them (see createApiBackend); `meshctl ui` forwards to it.
 * @throws MissingTokenError when a non-local URL has no token.
 */
export function resolveApiTarget(options: Pick<BackendOptions, 'apiUrl' | 'token'>, env: NodeJS.ProcessEnv): { url: string; token: string } {
  const url = options.apiUrl ?? env.MESH_API_URL ?? LOCAL_API_URL;
  const token = options.token ?? env.MESH_API_TOKEN ?? (isLocalApiUrl(url) ? LOCAL_API_TOKEN : undefined);
  if (!token) throw new MissingTokenError(`no token for the HTTP API at ${url}: pass --token or set MESH_API_TOKEN`);
  return { url, token };
}

/**
 * True for a plain-HTTP URL on this machine (`127.0.0.1`, `localhost`, `[::1]`, any port): the local cloud's APIs,
 * the first region's on 3000 and the second region's (`--peer-region`) on 3010 or wherever `LOCAL_HTTP_API_PORT` /
 * `LOCAL_PEER_API_PORT` put them, all with the same documented token. `npm start` prints
 * `MESH_API_URL=<the second API> npx meshctl status`, which must work as printed. An API on AWS is HTTPS on another
 * host and never gets the default token.
 */
export function isLocalApiUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}

/** An API URL without a token to present. */
export class MissingTokenError extends Error {
  override readonly name = 'MissingToken';
}
