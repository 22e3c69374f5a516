import { writeLines, type CliDeps, type CliOutput } from './cli-deps';
import { FrameWriter } from './progress-view';

/**
 * The one follow loop of the commands that start a long operation and stay with it to its end (`deploy`, `status
 * --watch`, `rollout`, `rotate`, `destroy`): poll, show what changed, sleep, until the operation has ended. A poll that
 * fails on the way (the API not answering, a 5xx, throttling) is tried again with a growing pause instead of ending
 * the command: the operation runs on in Step Functions whatever happens to the connection. Ctrl-C stops following,
 * never the operation, and says how to follow or cancel it.
 */
export interface FollowOptions<V> {
  /** Reads the operation once. */
  poll: () => Promise<V>;
  /** True once the view shows an ended operation (the last view is returned). */
  ended: (view: V) => boolean;
  /** Shows a view (a redrawn frame, new lines); called after every poll. */
  show?: (view: V) => void;
  /** Leaves the last frame on screen, on the way out (ended, Ctrl-C, or an error that ends the command). */
  close?: () => void;
  /** The lines Ctrl-C prints: that the operation keeps running, and how to follow or cancel it. */
  interrupted?: string[];
  /** Stop after the first poll, whatever the view shows (`status` without `--watch`). */
  once?: boolean;
}

export type FollowDeps = Pick<CliDeps, 'stderr' | 'sleep' | 'pollIntervalMs' | 'onInterrupt'>;

/** Consecutive failed polls tolerated before the error ends the command. */
export const MAX_POLL_FAILURES = 5;
/** The longest pause between two attempts after failures. */
export const MAX_BACKOFF_MS = 30_000;

export async function followOperation<V>(options: FollowOptions<V>, deps: FollowDeps): Promise<V> {
  const stopListening = options.interrupted
    ? deps.onInterrupt?.(() => {
        options.close?.();
        writeLines(deps.stderr, options.interrupted ?? []);
      })
    : undefined;
  try {
    let failures = 0;
    for (;;) {
      let view: V;
      try {
        view = await options.poll();
      } catch (error) {
        failures += 1;
        if (!isTransient(error) || failures >= MAX_POLL_FAILURES) throw error;
        const pause = backoffMs(deps.pollIntervalMs, failures);
        deps.stderr.write(`could not read the progress (${(error as Error).name}: ${(error as Error).message}); trying again in ${Math.ceil(pause / 1000)}s\n`);
        await deps.sleep(pause);
        continue;
      }
      failures = 0;
      options.show?.(view);
      if (options.once || options.ended(view)) return view;
      await deps.sleep(deps.pollIntervalMs);
    }
  } finally {
    stopListening?.();
    options.close?.();
  }
}

/**
 * The pause after the n-th failed poll in a row: the poll interval (at least a second) doubled per failure, at most
 * 30 s. @example backoffMs(1000, 3) // 4000
 */
export function backoffMs(intervalMs: number, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, Math.max(1000, intervalMs) * 2 ** (failures - 1));
}

/**
 * Failures worth another try: nothing answered (`ApiUnreachable`), the API or a service behind it failed or was
 * busy (5xx, throttling). A 4xx (a wrong token, an unknown id) would only fail again.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (['ApiUnreachable', 'ThrottlingException', 'ServiceUnavailable', 'TooManyRequestsException', 'InternalServerError'].includes(error.name)) return true;
  const status = (error as { status?: unknown; $metadata?: { httpStatusCode?: unknown } }).status ?? (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/**
 * How a followed operation is shown: a frame redrawn in place on a terminal, one line per change otherwise (CI logs,
 * pipes, and `NO_COLOR` / `TERM=dumb`, which ask for plain output without escape sequences), nothing with `--json`.
 */
export function liveOutput<V>(
  out: CliOutput,
  env: NodeJS.ProcessEnv,
  json: boolean,
  render: { frame: (view: V) => string[]; transitions: (before: V | undefined, after: V) => string[] },
): Pick<FollowOptions<V>, 'show' | 'close'> {
  if (json) return {};
  const plain = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
  if (out.isTTY && !plain) {
    const frame = new FrameWriter(out);
    return { show: (view) => frame.draw(render.frame(view)), close: () => frame.release() };
  }
  let last: V | undefined;
  return {
    show: (view) => {
      writeLines(out, render.transitions(last, view));
      last = view;
    },
  };
}

/** What Ctrl-C prints while following: the operation runs on; where to follow it, and how to cancel it. */
export function renderDetached(what: string, id: string, follow: string): string[] {
  return [`Stopped following ${what} ${id}; it keeps running.`, `  follow it:  ${follow}`, `  cancel it:  meshctl cancel ${id}`];
}

/**
 * Prints how a followed operation ended (`--json`: the last view) and returns the exit code: 0 when it succeeded,
 * 1 otherwise (failed, rolled back, cancelled).
 */
export function reportEnded<V extends { status: string }>(view: V, json: boolean, render: (view: V) => { out: string[]; err: string[] }, deps: Pick<CliDeps, 'stdout' | 'stderr'>): number {
  if (json) {
    deps.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  } else {
    const { out, err } = render(view);
    writeLines(deps.stdout, out);
    writeLines(deps.stderr, err);
  }
  return view.status === 'SUCCEEDED' ? 0 : 1;
}
