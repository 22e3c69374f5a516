/**
 * The local cloud's endpoint on this machine: requests per second and p50/p99 latency of DescribeTasks
 * (100 tasks), PutParameter and Consul catalog register, and the memory and time it takes to run 10,000
 * simulated tasks.
 *
 * Everything runs in this one process: the servers and the real SDK clients share the event loop, as they do in
 * `npm start` and the integration tests. Figures are therefore a lower bound of what a separate client would see.
 */
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { timed } from './lib/clock';
import { measureLoad, type Call, type LoadFigures, type LoadOptions } from './lib/load';
import { memoryDelta, settledMemory } from './lib/memory';
import { ratio } from './lib/stats';
import { catalogRegisterCall, describeTasksCall, describeTasksHandlerCall, putParameterCall, UnexpectedAnswer } from './local-endpoint/calls';
import { REGION, startBenchCloud, type BenchCloud } from './local-endpoint/cloud';
import { fleetSize, launchFleet, listRunningTaskArns, registerBenchTaskDefinition, waitForFleet, type FleetPlan } from './local-endpoint/fleet';
import { buildLocalEndpointTables, LOCAL_ENDPOINT_NOTES, type CallFigures, type CallsFigures, type FleetFigures, type LargeFleetFigures } from './local-endpoint/report';

/** The cluster whose 100 tasks DescribeTasks describes. */
const API_FLEET: FleetPlan = { clusters: ['bench-api'], servicesPerCluster: 1, tasksPerService: 100 };

/** 10,000 tasks as a mesh would spread them: 4 clusters × 5 services × 500 tasks. */
const LARGE_FLEET: FleetPlan = {
  clusters: ['bench-mem-1', 'bench-mem-2', 'bench-mem-3', 'bench-mem-4'],
  servicesPerCluster: 5,
  tasksPerService: 500,
};

/** Each loop is bounded by count and time, so the whole benchmark stays within about two minutes. */
const LATENCY: LoadOptions & { rounds: number } = { concurrency: 1, rounds: 5, maxRequests: 300, maxDurationMs: 2_000, warmup: 50 };
const THROUGHPUT: LoadOptions & { rounds: number } = { concurrency: 8, rounds: 5, maxRequests: 2_000, maxDurationMs: 3_000, warmup: 100 };
const FLEET_WAIT = { timeoutMs: 60_000, intervalMs: 10 };

export const localEndpointBenchmark: Benchmark = {
  name: 'local-endpoint',
  description: 'local cloud endpoint: DescribeTasks (100 tasks), PutParameter, catalog register; memory with 10,000 tasks',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const cloud = await startBenchCloud();
    try {
      const setup = await startApiFleet(cloud, context);
      const calls = await measureCalls(cloud, context);
      const memory = await measureLargeFleet(cloud, context);
      const figures = { setup, calls, memory, settings: { latency: LATENCY, throughput: THROUGHPUT, apiFleet: API_FLEET, largeFleet: LARGE_FLEET } };
      return { figures, tables: buildLocalEndpointTables(calls, memory), notes: LOCAL_ENDPOINT_NOTES };
    } finally {
      await cloud.close();
    }
  },
};

async function startApiFleet(cloud: BenchCloud, context: BenchmarkContext): Promise<FleetFigures> {
  context.log(`starting ${fleetSize(API_FLEET)} tasks for DescribeTasks`);
  await registerBenchTaskDefinition(cloud.ecsClient);
  const { ms } = await timed(async () => {
    await launchFleet(cloud.ecsClient, API_FLEET);
    await waitForFleet(cloud.ecs, API_FLEET, FLEET_WAIT);
  });
  return { tasks: fleetSize(API_FLEET), msToRunning: ms };
}

async function measureCalls(cloud: BenchCloud, context: BenchmarkContext): Promise<CallsFigures> {
  const [cluster] = API_FLEET.clusters;
  const taskArns = await listRunningTaskArns(cloud.ecsClient, cluster);
  if (taskArns.length !== fleetSize(API_FLEET)) {
    throw new UnexpectedAnswer(`ListTasks found ${taskArns.length} RUNNING tasks, expected ${fleetSize(API_FLEET)}`);
  }
  const tasks = cloud.ecs.runningTasks(cluster, REGION).map(({ taskId, taskArn, privateIp }) => ({ taskId, taskArn, privateIp }));
  const calls: Array<{ key: string; label: string; call: Call }> = [
    { key: 'describeTasks100', label: 'DescribeTasks (100)', call: describeTasksCall(cloud.ecsClient, cluster, taskArns) },
    { key: 'putParameter', label: 'PutParameter', call: putParameterCall(cloud.ssmClient, '/bench/consul/client.hcl') },
    { key: 'catalogRegister', label: 'catalog register', call: catalogRegisterCall(cloud.consul.url, cluster, tasks) },
  ];
  const results: Record<string, CallFigures> = {};
  for (const { key, label, call } of calls) {
    context.log(`${label}: ${LATENCY.rounds} rounds at concurrency ${LATENCY.concurrency}, then at ${THROUGHPUT.concurrency}`);
    const serial: LoadFigures = await measureLoad(call, LATENCY);
    const concurrent: LoadFigures = await measureLoad(call, THROUGHPUT);
    // Both medians come from this same run, so the ratio is not skewed by a machine that was busier another time.
    results[key] = { label, serial, concurrent, throughputRatio: ratio(concurrent.rps.p50, serial.rps.p50) };
  }
  context.log('DescribeTasks (100): the handler alone, without HTTP, SigV4 and the SDK');
  const handler = await measureLoad(describeTasksHandlerCall(cloud.ecs.provider, cluster, taskArns), LATENCY);
  return {
    byCall: results,
    describeTasksHandlerOnly: {
      serial: handler,
      shareOfEndToEndP50: ratio(handler.latencyMs.p50, results.describeTasks100.serial.latencyMs.p50),
    },
  };
}

async function measureLargeFleet(cloud: BenchCloud, context: BenchmarkContext): Promise<LargeFleetFigures> {
  const tasks = fleetSize(LARGE_FLEET);
  context.log(`memory: starting ${tasks} more tasks (${LARGE_FLEET.clusters.length} clusters × ${LARGE_FLEET.servicesPerCluster} services × ${LARGE_FLEET.tasksPerService})`);
  const before = await settledMemory();
  const { ms } = await timed(async () => {
    await launchFleet(cloud.ecsClient, LARGE_FLEET);
    await waitForFleet(cloud.ecs, LARGE_FLEET, FLEET_WAIT);
  });
  const after = await settledMemory();
  const delta = memoryDelta(before, after);
  return {
    tasks,
    msToRunning: ms,
    tasksPerSecond: tasks / (ms / 1000),
    before,
    after,
    delta,
    heapBytesPerTask: delta.heapUsed / tasks,
    rssBytesPerTask: delta.rss / tasks,
  };
}
