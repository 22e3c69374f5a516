/**
 * Polling helpers shared by the integration tests that wait on the local cloud (a leader elected, a peering ACTIVE, a
 * task registered): each bounded, each naming what it waited for when it gives up.
 */

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined, and returns that.
 *
 * @throws Error `timed out waiting for <what>` after `timeoutMs`.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls `check` every 50 ms until it holds (slower steps: a datacenter restored, a deployment's stage reached). */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  await waitFor(what, async () => ((await check()) ? true : undefined), timeoutMs, 50);
}
