/**
 * A cache of the resolved configuration in `<appDir>/.serverless/local-config-<hash>.json`.
 *
 * `serverless print` takes seconds; the local cloud and every test file need its result. The key hashes everything
 * the result depends on: `serverless.yml`, every file under `state-machines/`, every other file it includes with
 * `${file(...)}`, the values of the environment variables it reads with `${env:...}`, the options and the
 * framework's version. The file is written atomically (temporary file + rename) under an exclusive lock file, so
 * parallel jest workers that miss at the same time run `serverless print` once and never read a torn file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { PrintOptions } from './print';

export const CONFIG_FILE_NAMES = ['serverless.yml', 'serverless.yaml'];
const STATE_MACHINES_DIR = 'state-machines';
/** A lock older than this belongs to a process that died while printing: take it over. */
const STALE_LOCK_MS = 90_000;
const LOCK_POLL_MS = 50;

/** The application's `serverless.yml` (or `.yaml`). */
export function configFilePath(appDir: string): string {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(appDir, name);
    if (existsSync(path)) return path;
  }
  return join(appDir, CONFIG_FILE_NAMES[0]);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/** Paths named by `${file(path)}` / `${file(path):key}` (paths with variables inside are skipped). */
function includedFiles(text: string, baseDir: string): string[] {
  const paths: string[] = [];
  for (const match of text.matchAll(/\$\{file\(\s*['"]?([^)'"$]+?)['"]?\s*\)/g)) paths.push(resolve(baseDir, match[1]));
  return paths;
}

/** Names read with `${env:NAME}` / `${env:NAME, default}`. */
function environmentNames(text: string): string[] {
  return [...text.matchAll(/\$\{env:\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]);
}

function frameworkVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(require.resolve('serverless/package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The hash of every input `serverless print` depends on. */
export function configCacheKey(appDir: string, options: PrintOptions): string {
  const hash = createHash('sha256');
  const configFile = configFilePath(appDir);
  const files = new Set<string>([configFile, ...filesUnder(join(appDir, STATE_MACHINES_DIR))]);
  const texts: string[] = [];
  // One level of includes beyond the state machines is enough for how serverless.yml files are written here.
  for (const file of [...files]) {
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    const text = readFileSync(file, 'utf8');
    texts.push(text);
    for (const included of includedFiles(text, appDir)) files.add(included);
  }
  for (const file of [...files].sort()) {
    hash.update(`file:${relative(appDir, file)}\0`);
    hash.update(existsSync(file) && statSync(file).isFile() ? readFileSync(file) : Buffer.from('<missing>'));
    hash.update('\0');
  }
  const names = [...new Set(texts.flatMap(environmentNames))].sort();
  for (const name of names) hash.update(`env:${name}=${process.env[name] ?? '<unset>'}\0`);
  const params = Object.entries(options.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify({ stage: options.stage, region: options.region, params, version: frameworkVersion() }));
  return hash.digest('hex').slice(0, 24);
}

export function cacheFilePath(appDir: string, key: string): string {
  return join(appDir, '.serverless', `local-config-${key}.json`);
}

async function readCached(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function tryLock(lockFile: string, staleMs = STALE_LOCK_MS): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(lockFile, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > staleMs) await rm(lockFile, { force: true });
    return false;
  }
  try {
    await handle.writeFile(String(process.pid));
  } catch (error) {
    // A lock that could not be written (a full disk) is not held: leave no file that others would wait on.
    await rm(lockFile, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
  return true;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Runs `work` while holding the lock file `lockFile` (created exclusively; other processes poll until it is gone).
 * A lock older than `staleMs` belongs to a process that died holding it and is taken over.
 */
export async function withExclusiveLock<T>(lockFile: string, work: () => Promise<T>, staleMs = STALE_LOCK_MS): Promise<T> {
  await mkdir(resolve(lockFile, '..'), { recursive: true });
  while (!(await tryLock(lockFile, staleMs))) await sleep(LOCK_POLL_MS);
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/**
 * The cached value for `file`, or the value `produce` computes, written for the next caller.
 * Exactly one process at a time produces; the others wait for its file. `onProduce` is called just before this
 * process produces (a cache miss), so a slow first run can say what it is doing.
 */
export async function readOrProduce(
  file: string,
  produce: () => Promise<Record<string, unknown>>,
  onProduce?: () => void,
): Promise<Record<string, unknown>> {
  const lockFile = `${file}.lock`;
  await mkdir(resolve(file, '..'), { recursive: true });
  for (;;) {
    const cached = await readCached(file);
    if (cached) return cached;
    if (await tryLock(lockFile)) break;
    await sleep(LOCK_POLL_MS);
  }
  try {
    // Another process may have finished between our last read and taking the lock.
    const cached = await readCached(file);
    if (cached) return cached;
    onProduce?.();
    const value = await produce();
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, file);
    return value;
  } finally {
    await rm(lockFile, { force: true });
  }
}
