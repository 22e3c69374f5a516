/**
 * How long the dashboard waits before its next poll. While something runs it polls fast; once everything is at
 * rest it slows down; after failed polls (the API or the `ui` server unreachable, throttled) it backs off
 * exponentially up to a ceiling, so a dashboard left open never hammers the API. Pure, for tests.
 */
export interface BackoffPolicy {
  activeMs: number;
  idleMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { activeMs: 1000, idleMs: 5000, maxMs: 30_000 };

export function nextPollDelay(state: { failures: number; active: boolean }, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const base = state.active ? policy.activeMs : policy.idleMs;
  if (state.failures <= 0) return base;
  return Math.min(policy.maxMs, base * 2 ** Math.min(state.failures, 10));
}
