/**
 * The HTTP API on the local cloud: p50/p99 latency and requests/s of POST /deployments (started, joined, refused)
 * and GET /deployments/{id}, and the time from a rollout request to the first new task registered in Consul and
 * to the rollout's SUCCEEDED, with zero simulated delays.
 *
 * The measurements run in two worker processes, one fresh local cloud each (see `api/worker.ts`); this process
 * only aggregates.
 */
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { apiNotes, buildApiTables, rolloutMedians, type ApiFigures } from './api/report';
import { runPartInWorker } from './api/run-worker';
import { CONCURRENT, LIMITS, PARKED_POLL_SECONDS, ROLLOUTS, SERIAL, STARTS } from './api/settings';

export const apiBenchmark: Benchmark = {
  name: 'api',
  description: 'HTTP API: POST /deployments and GET /deployments/{id} latency and rate; rollout request → first new task in Consul',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    context.log('part 1/2 (zero delays): deploy through the API, GET /deployments/{id}, rollouts');
    const main = await runPartInWorker('main', context.log);
    context.log('part 2/2 (deployments held idle): POST /deployments started, joined, refused');
    const post = await runPartInWorker('post', context.log);
    if (main.part !== 'main' || post.part !== 'post') throw new RangeError('a worker answered for another part');
    const figures: ApiFigures = {
      main: { cloudStartMs: main.cloudStartMs, ...main.figures },
      post: { cloudStartMs: post.cloudStartMs, ...post.figures },
    };
    return {
      figures: {
        ...figures,
        rolloutMedians: rolloutMedians(figures.main.rollouts),
        settings: {
          serial: SERIAL,
          concurrent: CONCURRENT,
          starts: STARTS,
          rollouts: { ...ROLLOUTS, images: [...ROLLOUTS.images] },
          parkedPollSeconds: PARKED_POLL_SECONDS,
          limits: LIMITS,
        },
      },
      tables: buildApiTables(figures),
      notes: apiNotes(figures),
    };
  },
};
