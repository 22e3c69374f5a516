/**
 * The contract between a benchmark module and the runner (`bench/run.ts`).
 *
 * A benchmark measures and returns its figures and tables; the runner prints the tables, adds the machine's
 * description and writes `bench/results/<name>.json`. A benchmark must release everything it started (servers,
 * timers, sockets) before `run` resolves, so the process exits by itself.
 */
import type { JsonObject } from './results';
import type { BenchmarkTable } from './table';

export interface BenchmarkContext {
  /** Progress lines (what is being measured now), printed as they come. */
  log(message: string): void;
}

export interface BenchmarkReport {
  figures: JsonObject;
  tables: BenchmarkTable[];
  /** How to read the figures (what was measured and how), printed under the tables. */
  notes?: string[];
}

export interface Benchmark {
  /** Lower-case with dashes; the result file is `<name>.json`, `npm run bench -- <name>` runs it alone. */
  readonly name: string;
  readonly description: string;
  run(context: BenchmarkContext): Promise<BenchmarkReport>;
}

/** True when `value` has the shape of a {@link Benchmark} (a loaded module is checked before it runs). */
export function isBenchmark(value: unknown): value is Benchmark {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.name === 'string' &&
    /^[a-z0-9][a-z0-9-]*$/.test(candidate.name) &&
    typeof candidate.description === 'string' &&
    typeof candidate.run === 'function'
  );
}
