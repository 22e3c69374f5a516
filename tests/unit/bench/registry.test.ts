import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBenchmark, type Benchmark } from '../../../bench/lib/benchmark';
import { InvalidBenchmarkModule, loadBenchmark, runBenchmark, selectBenchmarks, UnknownBenchmark, type BenchmarkEntry } from '../../../bench/lib/runner';
import { BENCHMARKS } from '../../../bench/registry';

/** A benchmark that measures nothing real: it only exercises the runner's printing and writing. */
const tinyBenchmark: Benchmark = {
  name: 'tiny',
  description: 'a fake for runner tests',
  async run(context) {
    context.log('measuring nothing');
    return {
      figures: { answer: 42 },
      tables: [{ title: 'tiny table', columns: ['what', 'value'], rows: [['answer', 42]] }],
      notes: ['a note'],
    };
  },
};
const entry = (name: string, load: () => Promise<unknown>): BenchmarkEntry => ({ name, description: name, load });

describe('benchmark registry', () => {
  it('lists local-endpoint, with unique names usable as result file names', () => {
    const names = BENCHMARKS.map((e) => e.name);
    expect(names).toContain('local-endpoint');
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });

  it('loads each registered module as a benchmark of the registered name, without running it', async () => {
    for (const registered of BENCHMARKS) {
      const benchmark = await loadBenchmark(registered);
      expect(isBenchmark(benchmark)).toBe(true);
      expect(benchmark.name).toBe(registered.name);
      expect(benchmark.description.length).toBeGreaterThan(0);
      expect(benchmark.run).toBeInstanceOf(Function);
    }
  });
});

describe('selectBenchmarks', () => {
  const registry = [entry('a', async () => tinyBenchmark), entry('b', async () => tinyBenchmark)];

  it('selects every benchmark when no name is given', () => {
    expect(selectBenchmarks(registry, []).map((e) => e.name)).toEqual(['a', 'b']);
  });

  it('selects the named ones in the order given, each once', () => {
    expect(selectBenchmarks(registry, ['b', 'a', 'b']).map((e) => e.name)).toEqual(['b', 'a']);
  });

  it('names the unknown benchmark and the available ones', () => {
    expect(() => selectBenchmarks(registry, ['nope'])).toThrow(UnknownBenchmark);
    expect(() => selectBenchmarks(registry, ['nope'])).toThrow(/nope.*available: a, b/);
  });
});

describe('loadBenchmark and runBenchmark', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('rejects a module that is not a benchmark or has another name', async () => {
    await expect(loadBenchmark(entry('tiny', async () => ({ name: 'tiny' })))).rejects.toThrow(InvalidBenchmarkModule);
    await expect(loadBenchmark(entry('other', async () => tinyBenchmark))).rejects.toThrow(/loads a benchmark named 'tiny'/);
  });

  it('prints the tables and notes and writes the figures with the machine description', async () => {
    const printed: string[] = [];
    const { document, path } = await runBenchmark(entry('tiny', async () => tinyBenchmark), {
      resultsDirectory: directory,
      print: (text) => printed.push(text),
    });
    const output = printed.join('\n');
    expect(output).toContain('measuring nothing');
    expect(output).toContain('tiny table');
    expect(output).toMatch(/answer\s+42/);
    expect(output).toContain('* a note');
    expect(path).toBe(join(directory, 'tiny.json'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(JSON.parse(JSON.stringify(document)));
    expect(document.figures).toEqual({ answer: 42 });
    expect(document.machine.cpus).toBeGreaterThan(0);
  });
});
