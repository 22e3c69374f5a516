import type { DeploymentBackend, DeploymentDescription } from '../layers/deployments/backend';
import { isFinished } from '../layers/deployments/backend';
import { initialProgress, reduceHistory, type DeploymentProgress } from '../layers/deployments/progress';

export interface WatchOptions {
  /** Time between polls; about a second keeps the view live without hammering the API. */
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Called after every poll with the progress so far. */
  onUpdate?: (progress: DeploymentProgress, description: DeploymentDescription) => void;
  /** Poll once and return, whatever the status (`status` without `--watch`). */
  once?: boolean;
}

export interface WatchResult {
  description: DeploymentDescription;
  progress: DeploymentProgress;
}

/**
 * Polls a deployment until it ends: DescribeExecution, then the history events after the last one seen. The
 * status is read before the history, so the poll that sees the end also reads the last events.
 */
export async function watchDeployment(backend: DeploymentBackend, id: string, options: WatchOptions): Promise<WatchResult> {
  let progress = initialProgress();
  for (;;) {
    const description = await backend.describe(id);
    progress = description.progress ?? reduceHistory(progress, await backend.history(id, progress.lastEventId));
    options.onUpdate?.(progress, description);
    if (options.once || isFinished(description.status)) return { description, progress };
    await options.sleep(options.intervalMs);
  }
}
