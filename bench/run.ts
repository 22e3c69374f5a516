/**
 * `npm run bench` runs every registered benchmark; `npm run bench -- <name> [...]` runs the named ones;
 * `npm run bench -- --list` lists them. Figures are printed and written to `bench/results/<name>.json`.
 *
 * Garbage collection is forced before memory figures; `NODE_OPTIONS=--expose-gc npm run bench` is not needed
 * (see `lib/memory.ts`) but is honoured.
 */
import { join } from 'node:path';
import { BENCHMARKS } from './registry';
import { runBenchmark, selectBenchmarks } from './lib/runner';

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args.includes('--list')) {
    console.log('usage: npm run bench [-- <name> ...]\n\nbenchmarks:');
    for (const entry of BENCHMARKS) console.log(`  ${entry.name.padEnd(20)} ${entry.description}`);
    return 0;
  }
  const options = args.filter((arg) => arg.startsWith('-'));
  if (options.length > 0) {
    console.error(`unknown option ${options.join(', ')} (try --list)`);
    return 2;
  }
  const selected = selectBenchmarks(BENCHMARKS, args);
  const resultsDirectory = join(__dirname, 'results');
  let failed = 0;
  for (const entry of selected) {
    try {
      await runBenchmark(entry, { resultsDirectory });
    } catch (error) {
      failed += 1;
      console.error(`\n${entry.name} failed:`, error);
    }
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 2;
  },
);
