/**
 * Runs one scenario in a fresh worker process (`worker.ts`, through tsx) and resolves with what it measured.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { DeploymentMeasurement } from './execution';
import type { Scenario } from './scenarios';
import { PROJECT_ROOT } from './spec';

export type WorkerResult = {
  /** `LocalCloud.start` in the worker (not part of any deployment figure). */
  cloudStartMs: number;
  fresh: DeploymentMeasurement;
  noChange?: DeploymentMeasurement;
};

type WorkerMessage = { ok: true; result: WorkerResult } | { ok: false; error: string };

/** The worker failed, exited without a result or ran out of time; `message` carries its error and the end of its stderr. */
export class WorkerFailed extends Error {
  override readonly name = 'WorkerFailed';
}

/** Starting the cloud (its `serverless print` is cached after the first) and tearing it down, beyond the deployments. */
const WORKER_OVERHEAD_MS = 90_000;
const STDERR_TAIL_CHARS = 4_000;

export function runScenarioInWorker(scenario: Scenario): Promise<WorkerResult> {
  const child = fork(join(__dirname, 'worker.ts'), [JSON.stringify(scenario)], {
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
  const limitMs = scenario.timeoutMs * (scenario.redeploy ? 2 : 1) + WORKER_OVERHEAD_MS;
  return new Promise<WorkerResult>((resolve, reject) => {
    let message: WorkerMessage | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new WorkerFailed(`the ${scenario.name} worker did not finish within ${limitMs} ms\n${stderr}`));
    }, limitMs);
    child.on('message', (received: WorkerMessage) => {
      message = received;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new WorkerFailed(`the ${scenario.name} worker could not run: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (message?.ok) resolve(message.result);
      else {
        const reason = message ? message.error : `exited with ${signal ?? `code ${code}`} and no result`;
        reject(new WorkerFailed(`the ${scenario.name} worker failed: ${reason}\n${stderr}`.trimEnd()));
      }
    });
  });
}
