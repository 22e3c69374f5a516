/**
 * Runs `work` on every item with at most `limit` in flight, and waits for all of them: one failure neither stops
 * the others nor is lost (each result is settled, in the items' order).
 *
 * @example const results = await settleWithLimit(clusters, 4, (c) => reconcileCluster(c));
 */
export async function settleWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  // Each runner takes the next item until none is left; `next++` is safe because JavaScript runs one turn at a time.
  const runner = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index], index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}
