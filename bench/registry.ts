/**
 * Every benchmark `npm run bench` knows. Modules are loaded only when selected, so running one benchmark does not
 * pay for importing the others.
 *
 * To add one: write `bench/<name>.bench.ts` exporting a `Benchmark`, and list it here.
 */
import type { BenchmarkEntry } from './lib/runner';

export const BENCHMARKS: readonly BenchmarkEntry[] = [
  {
    name: 'local-endpoint',
    description: 'the local cloud: DescribeTasks (100 tasks), PutParameter and catalog register rates and latency; memory with 10,000 tasks',
    load: async () => (await import('./local-endpoint.bench')).localEndpointBenchmark,
  },
];
