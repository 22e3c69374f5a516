import { BenchmarkCallFailed, measureLoad, runLoad, summarizeRuns, type LoadRun } from '../../../bench/lib/load';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A call that counts how many run at once. */
function trackedCall(work: () => Promise<void> = tick) {
  const state = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const call = async () => {
    state.calls += 1;
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    try {
      await work();
    } finally {
      state.inFlight -= 1;
    }
  };
  return { state, call };
}

describe('runLoad', () => {
  it('stops by itself after maxRequests, with exactly `concurrency` callers in flight', async () => {
    const { state, call } = trackedCall();
    const run = await runLoad(call, { concurrency: 4, maxRequests: 40, maxDurationMs: 10_000 });
    expect(run.completed).toBe(40);
    expect(run.samplesMs).toHaveLength(40);
    expect(state.calls).toBe(40);
    expect(state.maxInFlight).toBe(4);
    expect(state.inFlight).toBe(0);
    expect(run.rps).toBeCloseTo(40 / (run.durationMs / 1000), 6);
  });

  it('stops by itself when the time budget is spent, however many requests were allowed', async () => {
    const { state, call } = trackedCall(() => sleep(20));
    const run = await runLoad(call, { concurrency: 2, maxRequests: 1_000_000, maxDurationMs: 60 });
    expect(run.completed).toBeGreaterThan(0);
    expect(run.completed).toBeLessThan(20);
    expect(state.inFlight).toBe(0);
    // No request starts after the deadline, so the run ends within one call's duration of it.
    expect(run.durationMs).toBeLessThan(60 + 1000);
  });

  it('makes the warm-up requests first and leaves them out of the figures', async () => {
    const { state, call } = trackedCall();
    const run = await runLoad(call, { concurrency: 2, maxRequests: 10, maxDurationMs: 10_000, warmup: 6 });
    expect(state.calls).toBe(16);
    expect(run.completed).toBe(10);
  });

  it('fails with BenchmarkCallFailed carrying the cause once every caller has stopped', async () => {
    const boom = new Error('endpoint down');
    let calls = 0;
    let inFlight = 0;
    const call = async () => {
      calls += 1;
      inFlight += 1;
      await tick();
      inFlight -= 1;
      if (calls === 5) throw boom;
    };
    const failure = await runLoad(call, { concurrency: 3, maxRequests: 1000, maxDurationMs: 10_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BenchmarkCallFailed);
    expect((failure as BenchmarkCallFailed).name).toBe('BenchmarkCallFailed');
    expect((failure as BenchmarkCallFailed).cause).toBe(boom);
    expect((failure as Error).message).toContain('endpoint down');
    expect(inFlight).toBe(0);
    expect(calls).toBeLessThan(10);
  });

  it('rejects options that would never stop or never start', async () => {
    const { call } = trackedCall();
    await expect(runLoad(call, { concurrency: 0, maxRequests: 1, maxDurationMs: 10 })).rejects.toThrow(RangeError);
    await expect(runLoad(call, { concurrency: 1, maxRequests: 0, maxDurationMs: 10 })).rejects.toThrow(RangeError);
    await expect(runLoad(call, { concurrency: 1, maxRequests: 1, maxDurationMs: Number.NaN })).rejects.toThrow(RangeError);
    await expect(runLoad(call, { concurrency: 1.5, maxRequests: 1, maxDurationMs: 10 })).rejects.toThrow(RangeError);
  });
});

describe('measureLoad and summarizeRuns', () => {
  it('repeats the loop in rounds, warming up only before the first', async () => {
    const { state, call } = trackedCall();
    const figures = await measureLoad(call, { concurrency: 2, maxRequests: 8, maxDurationMs: 10_000, warmup: 4, rounds: 3 });
    expect(figures.rounds).toBe(3);
    expect(figures.requests).toBe(24);
    expect(state.calls).toBe(4 + 24);
    expect(figures.rps.count).toBe(3);
    expect(figures.latencyMs.count).toBe(24);
  });

  it('takes one rate per round and pools the latencies of every round', () => {
    const runs: LoadRun[] = [
      { concurrency: 8, completed: 2, durationMs: 1000, rps: 2, samplesMs: [1, 3] },
      { concurrency: 8, completed: 3, durationMs: 1000, rps: 3, samplesMs: [2, 4, 6] },
      { concurrency: 8, completed: 10, durationMs: 1000, rps: 10, samplesMs: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5] },
    ];
    const figures = summarizeRuns(runs);
    expect(figures).toMatchObject({ concurrency: 8, rounds: 3, requests: 15 });
    expect(figures.rps).toMatchObject({ count: 3, p50: 3, min: 2, max: 10 });
    expect(figures.latencyMs).toMatchObject({ count: 15, p50: 5, min: 1, max: 6 });
  });

  it('refuses to pool runs of different concurrency or no runs at all', () => {
    const run = (concurrency: number): LoadRun => ({ concurrency, completed: 1, durationMs: 1, rps: 1000, samplesMs: [1] });
    expect(() => summarizeRuns([run(1), run(8)])).toThrow(RangeError);
    expect(() => summarizeRuns([])).toThrow(RangeError);
  });
});
