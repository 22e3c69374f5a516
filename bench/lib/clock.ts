/**
 * Timing one-off steps (e.g. "time until 10,000 tasks run") with the monotonic clock.
 */
import { performance } from 'node:perf_hooks';

/** Runs `step` and returns its value with the wall-clock milliseconds it took. */
export async function timed<T>(step: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const begin = performance.now();
  const value = await step();
  return { value, ms: performance.now() - begin };
}

/** A condition was not met in time; the benchmark stops rather than report a figure it did not measure. */
export class ConditionTimedOut extends Error {
  override readonly name = 'ConditionTimedOut';
}

/**
 * Polls `condition` every `intervalMs` until it holds; throws {@link ConditionTimedOut} after `timeoutMs`.
 * The poll interval bounds the precision of a time measured with it.
 */
export async function pollUntil(
  condition: () => boolean,
  options: { timeoutMs: number; intervalMs: number; describe: () => string },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new ConditionTimedOut(`not reached within ${options.timeoutMs} ms: ${options.describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
