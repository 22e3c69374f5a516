import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The dashboard's sources (Vite project). */
export const UI_DIR = resolve(__dirname, '../../ui');
/** Where the dashboard is built; served by `meshctl ui`. Not committed. */
export const UI_DIST = join(UI_DIR, 'dist');
/** What a build records next to its output: the files it was built from (ui/vite.config.ts writes the list) and their hash. */
const BUILD_RECORD = '.build.json';

/** A build failed; its output is Vite's. */
export class UiBuildError extends Error {
  override readonly name = 'UiBuildError';
}

interface BuildRecord {
  /** Repository-relative paths of every source module the bundle contains, plus the build's own configuration. */
  inputs: string[];
  hash?: string;
}

/**
 * Builds the dashboard when `ui/dist` is missing or older than its sources, so `npx meshctl ui` and `npm start`
 * work on a fresh clone without a separate build step (the README's two commands). Fresh means: the hash of the
 * files the last build consumed (Vite's module graph, recorded by ui/vite.config.ts, plus the lock file, which
 * pins Vite and the libraries) is what it was then. A build goes to a temporary directory and is moved into
 * place whole, so a server never reads half a build.
 * @returns whether it built.
 */
export async function ensureUiBuilt(options: { uiDir?: string; log?: (line: string) => void } = {}): Promise<{ dir: string; built: boolean }> {
  const uiDir = options.uiDir ?? UI_DIR;
  const dist = join(uiDir, 'dist');
  const root = dirname(uiDir);
  if (isFresh(dist, root)) return { dir: dist, built: false };
  // One build at a time across processes (parallel test files, `npm start` next to `meshctl ui`): the others wait,
  // then find the build fresh.
  const release = await lock(join(uiDir, '.dist-lock'));
  try {
    if (isFresh(dist, root)) return { dir: dist, built: false };
    options.log?.('Building the dashboard (ui/, Vite)...');
    await build(uiDir, dist, root);
  } finally {
    await release();
  }
  return { dir: dist, built: true };
}

async function build(uiDir: string, dist: string, root: string): Promise<void> {
  const out = await mkdtemp(join(uiDir, '.dist-'));
  try {
    await runVite(uiDir, out);
    const record = JSON.parse(await readFile(join(out, BUILD_RECORD), 'utf8')) as BuildRecord;
    record.hash = hashInputs(record.inputs, root);
    await writeFile(join(out, BUILD_RECORD), JSON.stringify(record));
    const old = `${out}-old`;
    if (existsSync(dist)) await rename(dist, old);
    await rename(out, dist);
    // mkdtemp makes the directory private; the build is as readable as the sources it came from.
    await chmod(dist, 0o755);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** How long a lock may be held before it counts as left behind by a process that died mid-build. */
const STALE_LOCK_MS = 120_000;

/** A lock directory (mkdir is atomic); waits for it, taking over one older than STALE_LOCK_MS. */
async function lock(path: string): Promise<() => Promise<void>> {
  for (;;) {
    try {
      await mkdir(path);
      return () => rm(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(path, { recursive: true, force: true });
      else await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }
}

/** True when `dist` holds a build whose recorded inputs still hash the same. */
export function isFresh(dist: string, root: string): boolean {
  let record: BuildRecord;
  try {
    record = JSON.parse(readFileSync(join(dist, BUILD_RECORD), 'utf8')) as BuildRecord;
  } catch {
    return false;
  }
  if (!existsSync(join(dist, 'index.html')) || !record.hash) return false;
  return hashInputs(record.inputs, root) === record.hash;
}

/** The hash of the given repository-relative files and the lock file (what pins Vite and the libraries). */
export function hashInputs(inputs: string[], root: string): string {
  const hash = createHash('sha256');
  for (const input of [...inputs, 'package-lock.json'].sort()) {
    hash.update(`${input}\0`);
    try {
      hash.update(readFileSync(join(root, input)));
    } catch {
      hash.update('(missing)');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Vite's own CLI in a child process: Vite is ESM-only and the CLI runs as CommonJS through tsx. */
function runVite(uiDir: string, outDir: string): Promise<void> {
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: uiDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new UiBuildError(`vite build exited ${code}:\n${output.trim()}`))));
  });
}
