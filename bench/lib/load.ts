/**
 * Timed call loops: warm-up, then a bounded number of calls by a fixed number of concurrent callers.
 *
 * Every loop is bounded twice, by a request count and by wall-clock time, so a benchmark always stops by itself
 * however slow the machine is. Concurrency 1 measures latency (each call alone); higher concurrency measures
 * throughput (requests per second) and the latency callers see under that load.
 */
import { performance } from 'node:perf_hooks';
import { requestsPerSecond, summarize, type Summary } from './stats';

/** One measured operation, e.g. an SDK `send` against the local endpoint. */
export type Call = () => Promise<unknown>;

export type LoadOptions = {
  /** Callers issuing requests at the same time (each waits for its answer before the next request). */
  concurrency: number;
  /** No request is started once this many have been started. */
  maxRequests: number;
  /** No request is started after this much wall-clock time. */
  maxDurationMs: number;
  /** Requests made (at the same concurrency) before measuring and not counted: JIT, sockets, caches. Default 0. */
  warmup?: number;
};

/** One timed loop. */
export interface LoadRun {
  concurrency: number;
  completed: number;
  durationMs: number;
  rps: number;
  /** Latency of each completed request, in completion order. */
  samplesMs: number[];
}

/** Figures of several rounds of the same loop: rates are per round, latencies are pooled over all rounds. */
export type LoadFigures = {
  concurrency: number;
  rounds: number;
  requests: number;
  /** Requests per second, one sample per round (its p50 is the median round). */
  rps: Summary;
  latencyMs: Summary;
};

/** A measured call failed: the figures would be meaningless, so the benchmark stops. `cause` is the call's error. */
export class BenchmarkCallFailed extends Error {
  override readonly name = 'BenchmarkCallFailed';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/**
 * Runs `call` with `concurrency` callers until `maxRequests` were started or `maxDurationMs` passed.
 * Throws {@link BenchmarkCallFailed} on the first failed call, after every caller has stopped.
 */
export async function runLoad(call: Call, options: LoadOptions): Promise<LoadRun> {
  checkOptions(options);
  if (options.warmup && options.warmup > 0) {
    await loop(call, { ...options, maxRequests: options.warmup });
  }
  return loop(call, options);
}

/** Runs {@link runLoad} `rounds` times in a row and summarises the rounds. */
export async function measureLoad(call: Call, options: LoadOptions & { rounds: number }): Promise<LoadFigures> {
  if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new RangeError(`rounds must be an integer >= 1, got ${options.rounds}`);
  const runs: LoadRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Warm up once, before the first round only: later rounds start warm.
    runs.push(await runLoad(call, { ...options, warmup: round === 0 ? options.warmup : 0 }));
  }
  return summarizeRuns(runs);
}

/** Per-round rates and pooled latencies of runs made at the same concurrency. */
export function summarizeRuns(runs: readonly LoadRun[]): LoadFigures {
  if (runs.length === 0) throw new RangeError('no runs to summarise');
  const concurrency = runs[0].concurrency;
  if (runs.some((run) => run.concurrency !== concurrency)) throw new RangeError('runs of different concurrency cannot be pooled');
  return {
    concurrency,
    rounds: runs.length,
    requests: runs.reduce((total, run) => total + run.completed, 0),
    rps: summarize(runs.map((run) => run.rps)),
    latencyMs: summarize(runs.flatMap((run) => run.samplesMs)),
  };
}

async function loop(call: Call, options: LoadOptions): Promise<LoadRun> {
  const samplesMs: number[] = [];
  let started = 0;
  let failure: { error: unknown } | undefined;
  const begin = performance.now();
  const deadline = begin + options.maxDurationMs;

  const caller = async (): Promise<void> => {
    while (!failure && started < options.maxRequests && performance.now() < deadline) {
      started += 1;
      const sent = performance.now();
      try {
        await call();
      } catch (error) {
        failure ??= { error };
        return;
      }
      samplesMs.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const durationMs = performance.now() - begin;

  if (failure) {
    const reason = failure.error instanceof Error ? `${failure.error.name}: ${failure.error.message}` : String(failure.error);
    throw new BenchmarkCallFailed(`a measured call failed after ${samplesMs.length} completed requests (${reason})`, { cause: failure.error });
  }
  if (samplesMs.length === 0) throw new RangeError('no request completed within the time budget');
  return {
    concurrency: options.concurrency,
    completed: samplesMs.length,
    durationMs,
    rps: requestsPerSecond(samplesMs.length, durationMs),
    samplesMs,
  };
}

function checkOptions(options: LoadOptions): void {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
  }
  if (!Number.isInteger(options.maxRequests) || options.maxRequests < 1) {
    throw new RangeError(`maxRequests must be an integer >= 1, got ${options.maxRequests}`);
  }
  if (!(options.maxDurationMs > 0)) throw new RangeError(`maxDurationMs must be > 0, got ${options.maxDurationMs}`);
  if (options.warmup !== undefined && (!Number.isInteger(options.warmup) || options.warmup < 0)) {
    throw new RangeError(`warmup must be an integer >= 0, got ${options.warmup}`);
  }
}
