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
  { name: 'deploy', description: 'reference deployment: wall time, critical-path ratio, state transitions; bundle sizes and cold starts', load: async () => (await import('./deploy.bench')).deployBenchmark },
  { name: 'churn', description: 'task churn: event path events/s and p50/p99 with 1,000 tasks; reconcile of 10,000 tasks in 20 clusters; staleness vs polling every 10 s', load: async () => (await import('./churn.bench')).churnBenchmark },
  { name: 'iam', description: 'IAM enforcement: DescribeTasks (100) p50 by a role with and without evaluation; reference deployment wall time with and without', load: async () => (await import('./iam.bench')).iamBenchmark },
  { name: 'api', description: 'HTTP API: POST /deployments and GET /deployments/{id} p50/p99 and requests/s; rollout request → first new task in Consul', load: async () => (await import('./api.bench')).apiBenchmark },
  {
    name: 'datacenter-loss',
    description: 'every Consul server lost at once: time from the last server stop to a working mesh (tokens, intentions, catalog), p50 of 5, AWS delays × 1/8',
    load: async () => (await import('./datacenter-loss.bench')).datacenterLossBenchmark,
  },
  {
    name: 'peering',
    description: "task churn across a peering: task stopped in eu-west-1 → its instance gone from us-east-1's imported health, p50/p99 of 20",
    load: async () => (await import('./peering.bench')).peeringBenchmark,
  },
  { name: 'consul-acl', description: 'Consul ACL enforcement: catalog register (instance + sidecar) and health read p50/p99 with the orchestrator token and without ACLs', load: async () => (await import('./consul-acl.bench')).consulAclBenchmark },
];
