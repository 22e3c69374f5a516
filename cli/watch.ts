import type { DeploymentBackend, DeploymentDescription } from '../layers/executions/backend';
import { isFinished } from '../layers/executions/backend';
import { initialProgress, reduceHistory, type DeploymentProgress } from '../layers/executions/progress';
import type { CliOutput } from './cli-deps';
import { followOperation, type FollowDeps } from './follow';

export interface WatchOptions {
  /** Time between polls; about a second keeps the view live without hammering the API. */
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Called after every poll with the progress so far. */
  onUpdate?: (progress: DeploymentProgress, description: DeploymentDescription) => void;
  /** Poll once and return, whatever the status (`status` without `--watch`). */
  once?: boolean;
  /** Where a failed poll that is tried again is said (nowhere without it). */
  stderr?: CliOutput;
  /** Ctrl-C while watching: `onInterrupt` (CliDeps) is told to print `interrupted` after `close`. */
  onInterrupt?: FollowDeps['onInterrupt'];
  interrupted?: string[];
  close?: () => void;
}

export interface WatchResult {
  description: DeploymentDescription;
  progress: DeploymentProgress;
}

/**
 * Polls a deployment until it ends (cli/follow.ts: the loop `rollout`, `rotate` and `destroy` use too): DescribeExecution,
 * then the history events after the last one seen. The status is read before the history, so the poll that sees the
 * end also reads the last events.
 */
export async function watchDeployment(backend: DeploymentBackend, id: string, options: WatchOptions): Promise<WatchResult> {
  let progress = initialProgress();
  return followOperation<WatchResult>(
    {
      poll: async () => {
        const description = await backend.describe(id);
        progress = description.progress ?? reduceHistory(progress, await backend.history(id, progress.lastEventId));
        return { description, progress };
      },
      ended: ({ description }) => isFinished(description.status),
      show: ({ description, progress: p }) => options.onUpdate?.(p, description),
      close: options.close,
      interrupted: options.interrupted,
      once: options.once,
    },
    { stderr: options.stderr ?? { write: () => true }, sleep: options.sleep, pollIntervalMs: options.intervalMs, onInterrupt: options.onInterrupt },
  );
}
