import { parseGoDuration } from './duration';
import { badRequest } from './errors';
import type { BlockingParams, EndpointContext, EndpointResponse } from './endpoint';
import type { ChangeSet } from './store/store';
import type { ConsulState } from './store/types';

/** Blocking-query wait bounds from Consul's documentation: 5 minutes by default, at most 10 minutes. */
export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

/** Read `?wait` and `?index`, refusing bad values with Consul's texts ("Invalid wait time", "Invalid index"). */
export function parseBlockingParams(query: URLSearchParams): BlockingParams {
  let waitMs = DEFAULT_WAIT_MS;
  const wait = query.get('wait');
  if (wait !== null && wait !== '') {
    const parsed = parseGoDuration(wait);
    if (parsed === undefined) throw badRequest('Invalid wait time');
    waitMs = parsed;
  }
  if (waitMs <= 0 || waitMs > MAX_WAIT_MS) waitMs = waitMs <= 0 ? DEFAULT_WAIT_MS : MAX_WAIT_MS;
  let minIndex = 0;
  const index = query.get('index');
  if (index !== null && index !== '') {
    if (!/^\d+$/.test(index)) throw badRequest('Invalid index');
    minIndex = Number(index);
  }
  return { minIndex, waitMs };
}

/** One evaluation of a read: the index it answers and the response. */
export interface QueryResult {
  readonly index: number;
  readonly response: Omit<EndpointResponse, 'index'>;
}

/**
 * Run a read as Consul's `blockingQuery` does: evaluate; if the client passed `index=N` and the answer's index is
 * still ≤ N, hold until a write touches what `watches` accepts (then evaluate again) or the wait elapses.
 * The answered index is never below 1, so clients never spin on index 0.
 */
export async function blockingQuery(
  ctx: EndpointContext,
  watches: (changes: ChangeSet) => boolean,
  run: (state: ConsulState) => QueryResult,
): Promise<EndpointResponse | undefined> {
  const deadline = Date.now() + ctx.blocking.waitMs;
  for (;;) {
    const result = run(ctx.store.state);
    const index = Math.max(1, result.index);
    const remaining = deadline - Date.now();
    const done =
      ctx.blocking.minIndex === 0 || index > ctx.blocking.minIndex || remaining <= 0 || ctx.store.isClosed;
    if (done) return { ...result.response, index };
    await ctx.store.waitForChange(watches, remaining, ctx.signal);
    if (ctx.signal.aborted) return undefined;
  }
}
