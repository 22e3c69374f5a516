import type { CliDeps } from './cli-deps';

/**
 * Runs a command and turns an unexpected error into a message and exit code 1. Errors keep their name (the AWS
 * error code, e.g. `ExecutionDoesNotExist`), and an unreachable endpoint gets a hint instead of a stack trace.
 */
export async function runAction(command: string, deps: Pick<CliDeps, 'stderr' | 'env'>, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    deps.stderr.write(`meshctl ${command}: ${err.name}: ${err.message}\n`);
    // The HTTP API backend's own message already names its address; the hint is for the AWS endpoint.
    if (err.name !== 'ApiUnreachable' && isConnectionRefused(err)) {
      deps.stderr.write(`cannot reach the AWS endpoint${deps.env.AWS_ENDPOINT_URL ? ` ${deps.env.AWS_ENDPOINT_URL}` : ''}: is the local cloud running (npm start)?\n`);
    }
    return 1;
  }
}

function isConnectionRefused(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message);
}
