/**
 * The figures of the local-endpoint benchmark and how they are shown.
 */
import type { LoadFigures } from '../lib/load';
import type { MemorySnapshot } from '../lib/memory';
import { formatCount, formatMiB, formatMs, type BenchmarkTable, type Cell } from '../lib/table';

/** One call at concurrency 1 (latency) and at higher concurrency (throughput), measured in the same run. */
export type CallFigures = {
  /** How the table names the call. */
  label: string;
  serial: LoadFigures;
  concurrent: LoadFigures;
  /** Median requests/s under concurrency ÷ median requests/s one at a time. */
  throughputRatio: number;
};

/** Every measured call, plus DescribeTasks' handler alone to show how much of its time is the server's. */
export type CallsFigures = {
  byCall: Record<string, CallFigures>;
  describeTasksHandlerOnly: {
    serial: LoadFigures;
    /** Handler p50 ÷ end-to-end p50 at concurrency 1. */
    shareOfEndToEndP50: number;
  };
};

export type FleetFigures = {
  tasks: number;
  /** From the first CreateService call until every task is RUNNING. */
  msToRunning: number;
};

export type LargeFleetFigures = FleetFigures & {
  tasksPerSecond: number;
  /** After full GCs, before the fleet was created and once all of it runs. */
  before: MemorySnapshot;
  after: MemorySnapshot;
  delta: MemorySnapshot;
  heapBytesPerTask: number;
  rssBytesPerTask: number;
};

/** The call table (rates and latencies) and the 10,000-task table (time and memory). */
export function buildLocalEndpointTables(calls: CallsFigures, fleet: LargeFleetFigures): BenchmarkTable[] {
  const loadRow = (label: string, load: LoadFigures, ratioToSerial: number): Cell[] => [
    label,
    load.concurrency,
    formatCount(load.requests),
    formatCount(load.rps.p50),
    `${formatCount(load.rps.min)}–${formatCount(load.rps.max)}`,
    formatMs(load.latencyMs.p50),
    formatMs(load.latencyMs.p99),
    formatMs(load.latencyMs.max),
    ratioToSerial.toFixed(2),
  ];
  const callRows: Cell[][] = [];
  for (const figures of Object.values(calls.byCall)) {
    callRows.push(loadRow(figures.label, figures.serial, 1), loadRow(figures.label, figures.concurrent, figures.throughputRatio));
  }
  const handler = calls.describeTasksHandlerOnly;
  callRows.push(loadRow(`DescribeTasks (100) handler only (${(handler.shareOfEndToEndP50 * 100).toFixed(0)}% of p50)`, handler.serial, 1));
  const memoryRow = (label: string, key: keyof MemorySnapshot): Cell[] => [
    label,
    formatMiB(fleet.before[key]),
    formatMiB(fleet.after[key]),
    formatMiB(fleet.delta[key], { signed: true }),
    formatCount(fleet.delta[key] / fleet.tasks),
  ];
  return [
    {
      title: 'Calls over loopback HTTP (real SDK clients / fetch); rps = median of rounds; latency pooled over rounds',
      columns: ['call', 'conc', 'requests', 'rps p50', 'rps min–max', 'p50 ms', 'p99 ms', 'max ms', 'rps ×c1'],
      rows: callRows,
    },
    {
      title: `${formatCount(fleet.tasks)} simulated tasks (zero lifecycle delays): ${formatMs(fleet.msToRunning)} ms to all RUNNING, ${formatCount(fleet.tasksPerSecond)} tasks/s`,
      columns: ['memory', 'before', 'after', 'delta', 'bytes/task'],
      rows: [memoryRow('heap used', 'heapUsed'), memoryRow('heap total', 'heapTotal'), memoryRow('rss', 'rss'), memoryRow('external', 'external')],
    },
  ];
}

export const LOCAL_ENDPOINT_NOTES = [
  'Client and servers share one process and one event loop: the rates are what the local cloud serves to an in-process caller, a lower bound for an external one.',
  'Each call is made in rounds bounded by count and time; "rps ×c1" is the concurrent median over the serial median of the same run.',
  '"handler only" is the ECS provider\'s DescribeTasks plus JSON serialisation, called directly: the rest of the end-to-end time is HTTP, SigV4 and the SDK.',
  'Memory is process.memoryUsage() after forced full GCs; "before" already holds the 100-task fleet, the clients and the parameter history.',
  'Heap used is the figure to compare: RSS keeps pages V8 grew into during the earlier load phases, so its delta can even be negative.',
];
