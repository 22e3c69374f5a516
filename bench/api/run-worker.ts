/**
 * Runs one part of the API benchmark in a fresh worker process (`worker.ts`, through tsx), forwarding its progress
 * lines, and resolves with its figures.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../deploy/spec';
import type { Part, WorkerMessage, WorkerResult } from './worker';

/** The worker failed, exited without a result or ran out of time; the message carries its error and the end of its stderr. */
export class WorkerFailed extends Error {
  override readonly name = 'WorkerFailed';
}

/** A part's whole run, cloud start and stop included; beyond it the worker is killed. */
const WORKER_LIMIT_MS = 150_000;
const STDERR_TAIL_CHARS = 4_000;

export function runPartInWorker(part: Part, log: (message: string) => void): Promise<WorkerResult> {
  const child = fork(join(__dirname, 'worker.ts'), [part], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    // The SDK's Node-version notice would otherwise be printed once per worker.
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  return new Promise<WorkerResult>((resolve, reject) => {
    let result: WorkerResult | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new WorkerFailed(`the ${part} worker did not finish within ${WORKER_LIMIT_MS} ms\n${stderr}`.trimEnd()));
    }, WORKER_LIMIT_MS);
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'log') log(message.message);
      else if (message.kind === 'result') result = message.result;
      else failure = message.error;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new WorkerFailed(`the ${part} worker could not run: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && result.part === part) resolve(result);
      else reject(new WorkerFailed(`the ${part} worker failed: ${failure ?? `exited with ${signal ?? `code ${code}`} and no result`}\n${stderr}`.trimEnd()));
    });
  });
}
