import type { LoadFigures } from '../../../bench/lib/load';
import { renderTable } from '../../../bench/lib/table';
import { buildLocalEndpointTables, type CallsFigures, type LargeFleetFigures } from '../../../bench/local-endpoint/report';

const summary = (p50: number, p99: number) => ({ count: 10, min: p50 / 2, max: p99 * 2, mean: p50, p50, p90: p99, p99 });
const load = (concurrency: number, rps: number, p50: number, p99: number): LoadFigures => ({
  concurrency,
  rounds: 5,
  requests: 1500,
  rps: summary(rps, rps),
  latencyMs: summary(p50, p99),
});
const MiB = 1024 * 1024;

describe('local-endpoint tables', () => {
  const calls: CallsFigures = {
    byCall: {
      putParameter: { label: 'PutParameter', serial: load(1, 900, 0.7, 5.6), concurrent: load(8, 1800, 4.1, 20), throughputRatio: 2 },
    },
    describeTasksHandlerOnly: { serial: load(1, 2000, 0.4, 1), shareOfEndToEndP50: 0.25 },
  };
  const fleet: LargeFleetFigures = {
    tasks: 10_000,
    msToRunning: 500,
    tasksPerSecond: 20_000,
    before: { rss: 200 * MiB, heapUsed: 20 * MiB, heapTotal: 60 * MiB, external: 5 * MiB, arrayBuffers: 0 },
    after: { rss: 220 * MiB, heapUsed: 50 * MiB, heapTotal: 100 * MiB, external: 5 * MiB, arrayBuffers: 0 },
    delta: { rss: 20 * MiB, heapUsed: 30 * MiB, heapTotal: 40 * MiB, external: 0, arrayBuffers: 0 },
    heapBytesPerTask: (30 * MiB) / 10_000,
    rssBytesPerTask: (20 * MiB) / 10_000,
  };

  it('shows each call at both concurrencies with median rps, p50/p99 and the same-run ratio, then the handler-only row', () => {
    const [callTable] = buildLocalEndpointTables(calls, fleet);
    expect(callTable.rows).toEqual([
      ['PutParameter', 1, '1,500', '900', '450–1,800', '0.700', '5.60', '11.2', '1.00'],
      ['PutParameter', 8, '1,500', '1,800', '900–3,600', '4.10', '20.0', '40.0', '2.00'],
      ['DescribeTasks (100) handler only (25% of p50)', 1, '1,500', '2,000', '1,000–4,000', '0.400', '1.00', '2.00', '1.00'],
    ]);
    expect(() => renderTable(callTable)).not.toThrow();
  });

  it('shows memory before, after, the delta and bytes per task of the 10,000-task fleet', () => {
    const [, memoryTable] = buildLocalEndpointTables(calls, fleet);
    expect(memoryTable.title).toContain('10,000 simulated tasks');
    expect(memoryTable.title).toContain('500 ms');
    expect(memoryTable.rows[0]).toEqual(['heap used', '20.0 MiB', '50.0 MiB', '+30.0 MiB', '3,146']);
  });
});
