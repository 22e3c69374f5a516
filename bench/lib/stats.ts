/**
 * Summary statistics of benchmark samples.
 *
 * On a small, shared, noisy machine the mean is dragged around by a few slow outliers (a GC pause, a neighbour's
 * build), so benchmarks report the median (p50) as the typical figure and p99 as the tail, never a single run.
 */

/** The distribution of a set of samples (latencies in milliseconds, or rates). A type alias, so it is JSON-assignable. */
export type Summary = {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** The median. */
  p50: number;
  p90: number;
  p99: number;
};

/**
 * The `p`-th percentile (0–100) of samples that are already sorted ascending.
 *
 * Linear interpolation between the two closest ranks (NumPy's default `linear` method, Excel's
 * `PERCENTILE.INC`): rank = p/100 × (n − 1). It is exact for p = 0 (min), 50 of an odd count (median) and 100 (max).
 *
 * @example
 * percentileOfSorted([1, 2, 3, 4], 50); // 2.5
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample set');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const weight = rank - lower;
  return sorted[lower] + (sorted[upper] - sorted[lower]) * weight;
}

/** The `p`-th percentile (0–100) of unsorted samples (the input is not modified). */
export function percentile(samples: readonly number[], p: number): number {
  return percentileOfSorted(sortAscending(samples), p);
}

/** The median (p50) of unsorted samples. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Count, min, max, mean and p50/p90/p99 of a non-empty sample set. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = sortAscending(samples);
  if (sorted.length === 0) throw new RangeError('cannot summarize an empty sample set');
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: total / sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
  };
}

/**
 * Completed requests per second over a wall-clock duration in milliseconds.
 *
 * @example
 * requestsPerSecond(500, 250); // 2000
 */
export function requestsPerSecond(completed: number, durationMs: number): number {
  if (!Number.isFinite(completed) || completed < 0) throw new RangeError(`completed must be a count >= 0, got ${completed}`);
  if (!(durationMs > 0)) throw new RangeError(`duration must be > 0 ms, got ${durationMs}`);
  return completed / (durationMs / 1000);
}

/** `numerator / denominator`, for ratios measured in the same run (e.g. throughput at 8 vs 1 concurrent callers). */
export function ratio(numerator: number, denominator: number): number {
  if (!(denominator > 0)) throw new RangeError(`ratio needs a denominator > 0, got ${denominator}`);
  return numerator / denominator;
}

function sortAscending(samples: readonly number[]): number[] {
  for (const value of samples) {
    if (!Number.isFinite(value)) throw new RangeError(`samples must be finite numbers, got ${value}`);
  }
  // The default sort compares as strings (10 < 9); numbers need an explicit comparator.
  return [...samples].sort((a, b) => a - b);
}
