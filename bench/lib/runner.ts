/**
 * Selecting and running registered benchmarks: run one, print its tables, write its result file.
 */
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isBenchmark, type Benchmark } from './benchmark';
import { gcMode } from './memory';
import { buildResultDocument, describeMachine, writeResultDocument, type ResultDocument } from './results';
import { renderTable } from './table';

/** A registry line: the name and description are known without loading the module. */
export interface BenchmarkEntry {
  name: string;
  description: string;
  load(): Promise<unknown>;
}

/** A name on the command line matches no registered benchmark. */
export class UnknownBenchmark extends Error {
  override readonly name = 'UnknownBenchmark';
}

/** A registered module does not export a benchmark of the registered name. */
export class InvalidBenchmarkModule extends Error {
  override readonly name = 'InvalidBenchmarkModule';
}

/** The entries named (in the order given, each once), or every entry when no name is given. */
export function selectBenchmarks(registry: readonly BenchmarkEntry[], names: readonly string[]): BenchmarkEntry[] {
  if (names.length === 0) return [...registry];
  const unknown = names.filter((name) => !registry.some((entry) => entry.name === name));
  if (unknown.length > 0) {
    const known = registry.map((entry) => entry.name).join(', ');
    throw new UnknownBenchmark(`unknown benchmark${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; available: ${known}`);
  }
  return [...new Set(names)].map((name) => registry.find((entry) => entry.name === name) as BenchmarkEntry);
}

/** Loads an entry's module and checks it is the benchmark the registry says it is. */
export async function loadBenchmark(entry: BenchmarkEntry): Promise<Benchmark> {
  const loaded = await entry.load();
  if (!isBenchmark(loaded)) throw new InvalidBenchmarkModule(`the module of '${entry.name}' does not export a benchmark`);
  if (loaded.name !== entry.name) {
    throw new InvalidBenchmarkModule(`the registry entry '${entry.name}' loads a benchmark named '${loaded.name}'`);
  }
  return loaded;
}

export interface RunOptions {
  resultsDirectory: string;
  /** Where tables and progress go; default stdout. */
  print?: (text: string) => void;
}

/** Runs one benchmark, prints its tables and notes, writes its result file; resolves with the written document. */
export async function runBenchmark(entry: BenchmarkEntry, options: RunOptions): Promise<{ document: ResultDocument; path: string }> {
  const print = options.print ?? ((text: string) => console.log(text));
  const benchmark = await loadBenchmark(entry);
  // Resolve the GC mode before measuring, so switching it on happens outside any timed section.
  const machine = describeMachine(gcMode());
  print(`\n== ${benchmark.name}: ${benchmark.description}`);
  print(`   ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage1m.toFixed(2)}, gc ${machine.gc}`);
  const begin = performance.now();
  const report = await benchmark.run({ log: (message) => print(`   ${message}`) });
  const durationMs = performance.now() - begin;
  for (const table of report.tables) print(`\n${renderTable(table)}`);
  if (report.notes && report.notes.length > 0) print(`\n${report.notes.map((note) => `* ${note}`).join('\n')}`);
  const document = buildResultDocument({ benchmark: benchmark.name, machine, durationMs, figures: report.figures });
  const path = await writeResultDocument(options.resultsDirectory, document);
  print(`\n${benchmark.name}: ${(durationMs / 1000).toFixed(1)} s, figures written to ${relative(process.cwd(), path)}`);
  return { document, path };
}
