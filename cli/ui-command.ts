import { resolveApiTarget, type BackendOptions } from './backend-factory';
import type { CliDeps } from './cli-deps';
import { ensureUiBuilt, UI_DIST } from './ui/build';
import { startUiServer, type UiServer } from './ui/server';

export interface UiOptions extends Pick<BackendOptions, 'apiUrl' | 'token'> {
  port: number;
}

/** The default port of `meshctl ui` (and of the dashboard `npm start` serves: LOCAL_UI_PORT). */
export const DEFAULT_UI_PORT = 8090;

/**
 * Builds the dashboard when its build is missing or stale, then serves it on 127.0.0.1 with `/api/*` forwarded to
 * the HTTP API (URL and token resolved as every command resolves them).
 * @throws MissingTokenError, UiBuildError, or the listen error (EADDRINUSE) with its port.
 */
export async function startDashboard(options: UiOptions, deps: Pick<CliDeps, 'env' | 'fetch'> & { log: (line: string) => void }): Promise<UiServer & { apiUrl: string }> {
  const target = resolveApiTarget(options, deps.env);
  await ensureUiBuilt({ log: deps.log });
  const server = await startUiServer({ apiUrl: target.url, token: target.token, port: options.port, staticDir: () => UI_DIST, fetch: deps.fetch });
  return { ...server, apiUrl: target.url };
}

/** The message for a port in use, naming the way out; undefined for other errors. */
export function renderUiListenError(error: unknown, port: number, how: string): string | undefined {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE' ? `port ${port} is in use: ${how}` : undefined;
}

/**
 * `meshctl ui`: the dashboard until Ctrl-C. Exit 0 when stopped by a signal, 1 when it cannot start.
 * `stopped` resolves when the server should stop (SIGINT/SIGTERM by default; tests pass their own).
 */
export async function uiCommand(options: UiOptions, deps: CliDeps, stopped: Promise<unknown> = signalled()): Promise<number> {
  let server;
  try {
    server = await startDashboard(options, { env: deps.env, fetch: deps.fetch, log: (line) => deps.stderr.write(`${line}\n`) });
  } catch (error) {
    const message = renderUiListenError(error, options.port, 'pass --port <n> (0 picks a free one)');
    if (message === undefined) throw error;
    deps.stderr.write(`meshctl ui: ${message}\n`);
    return 1;
  }
  deps.stdout.write(`Dashboard: ${server.url} (HTTP API ${server.apiUrl}). Ctrl-C stops it.\n`);
  await stopped;
  await server.close();
  return 0;
}

function signalled(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}
