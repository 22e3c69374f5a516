import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gcMode, memoryDelta, settledMemory } from '../../../bench/lib/memory';
import { buildResultDocument, describeMachine, writeResultDocument } from '../../../bench/lib/results';

describe('result files', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'bench-results-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('describes the machine: cpus, Node version and how GC is forced', () => {
    const machine = describeMachine('exposed');
    expect(machine.cpus).toBeGreaterThan(0);
    expect(machine.node).toBe(process.version);
    expect(machine.totalMemoryBytes).toBeGreaterThan(0);
    expect(machine.gc).toBe('exposed');
  });

  it('writes <name>.json with the figures, the machine and the date, in a directory it creates', async () => {
    const document = buildResultDocument({
      benchmark: 'sample-bench',
      machine: describeMachine('unavailable'),
      durationMs: 12.5,
      figures: { calls: { rps: 1000 } },
      date: new Date('2026-01-02T03:04:05.000Z'),
    });
    const path = await writeResultDocument(join(directory, 'nested'), document);
    expect(path).toBe(join(directory, 'nested', 'sample-bench.json'));
    const written = JSON.parse(readFileSync(path, 'utf8'));
    expect(written).toMatchObject({
      benchmark: 'sample-bench',
      date: '2026-01-02T03:04:05.000Z',
      durationMs: 12.5,
      figures: { calls: { rps: 1000 } },
      machine: { node: process.version, gc: 'unavailable' },
    });
  });

  it('refuses a benchmark name that could escape the results directory', async () => {
    const document = buildResultDocument({ benchmark: '../escape', machine: describeMachine('unavailable'), durationMs: 1, figures: {} });
    await expect(writeResultDocument(directory, document)).rejects.toThrow(RangeError);
  });
});

describe('memory figures', () => {
  it('forces garbage collection without node flags and reports memoryUsage fields', async () => {
    expect(gcMode()).not.toBe('unavailable');
    const snapshot = await settledMemory();
    expect(snapshot.heapUsed).toBeGreaterThan(0);
    expect(snapshot.rss).toBeGreaterThanOrEqual(snapshot.heapTotal);
  });

  it('sees retained memory grow and freed memory come back after a collection', () => {
    // In a fresh process: a jest worker's heap also holds whatever earlier test files left to collect.
    const script = `
      const { memoryDelta, settledMemory } = require(${JSON.stringify(join(__dirname, '../../../bench/lib/memory.ts'))});
      (async () => {
        const before = await settledMemory();
        let retained = Array.from({ length: 200 }, () => new Array(10000).fill(1.5));
        const during = await settledMemory();
        const held = retained.length;
        retained = undefined;
        const after = await settledMemory();
        console.log(JSON.stringify({ held, grew: memoryDelta(before, during).heapUsed, freed: memoryDelta(during, after).heapUsed }));
      })();`;
    const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    const { held, grew, freed } = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { held: number; grew: number; freed: number };
    expect(held).toBe(200);
    // 200 × 10,000 doubles ≈ 16 MB are held, then released.
    expect(grew).toBeGreaterThan(10 * 1024 * 1024);
    expect(freed).toBeLessThan(-10 * 1024 * 1024);
  });

  it('subtracts every field', () => {
    const a = { rss: 10, heapUsed: 5, heapTotal: 8, external: 1, arrayBuffers: 0 };
    const b = { rss: 15, heapUsed: 3, heapTotal: 8, external: 2, arrayBuffers: 4 };
    expect(memoryDelta(a, b)).toEqual({ rss: 5, heapUsed: -2, heapTotal: 0, external: 1, arrayBuffers: 4 });
  });
});
