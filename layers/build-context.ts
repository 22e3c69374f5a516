import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** Where the dataplane image is built from when a spec does not name one. */
export const DEFAULT_DATAPLANE_CONTEXT = 'docker/consul-dataplane';

/**
 * The content hash of DEFAULT_DATAPLANE_CONTEXT as this release ships it (`hashBuildContext`; a unit test keeps it
 * equal to the files). The HTTP API never sees the files, yet must accept the specs `meshctl validate` accepts,
 * most of which name no dataplane: with this it fills the very default `meshctl deploy` fills, same image tag.
 */
export const DEFAULT_DATAPLANE_CONTENT_HASH = '0357f3197a41118c8efb1020c2d8156b115cff5e0dc80e919e7035afe14ba131';

/**
 * A copy of a raw spec whose `consul.dataplane`, when it names neither an image nor a build, builds the default
 * context with its known content hash. Anything that is not an object is returned as is, for validation to refuse.
 */
export function withDefaultDataplane(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const copy = structuredClone(raw) as { consul?: unknown };
  if (copy.consul === undefined) copy.consul = {};
  if (!copy.consul || typeof copy.consul !== 'object') return raw;
  const consul = copy.consul as { dataplane?: unknown };
  if (consul.dataplane === undefined) consul.dataplane = {};
  if (!consul.dataplane || typeof consul.dataplane !== 'object') return raw;
  const dataplane = consul.dataplane as { image?: unknown; build?: unknown };
  if (dataplane.image === undefined && dataplane.build === undefined) {
    dataplane.build = { context: DEFAULT_DATAPLANE_CONTEXT, contentHash: DEFAULT_DATAPLANE_CONTENT_HASH };
  }
  return copy;
}

/** Directories never part of an image's build context. */
const SKIP = new Set(['.git', 'node_modules']);

/** One file of a build context: its path relative to the context (`/`-separated) and its bytes. */
export interface ContextFile {
  readonly path: string;
  readonly content: Buffer;
  /** Executable by its owner: kept in the archive, so a script stays runnable in the build. */
  readonly executable: boolean;
}

/** A build context as read once from disk: the files, in sorted path order, and their content hash. */
export interface BuildContextFiles {
  /** sha256 hex over the files (see {@link hashContextFiles}). */
  readonly contentHash: string;
  readonly files: readonly ContextFile[];
}

/**
 * Reads a build context: every regular file under `dir` except `.git` and `node_modules` (symbolic links and other
 * special files are left out), sorted by path. The hash and the archive are both made from this one read, so what
 * is uploaded is exactly what was hashed.
 */
export function readBuildContext(dir: string): BuildContextFiles {
  if (!statSync(dir).isDirectory()) throw new Error(`build context ${dir} is not a directory`);
  const paths: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) paths.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  paths.sort();
  const files = paths.map((path) => {
    const full = join(dir, ...path.split('/'));
    return { path, content: readFileSync(full), executable: (statSync(full).mode & 0o100) !== 0 };
  });
  return { contentHash: hashContextFiles(files), files };
}

/**
 * The content hash of a build context: sha256 over every file's relative path and bytes, in sorted order.
 * Identical contexts give identical hashes on any machine, so "is this image already built?" is answered by
 * looking the hash up as an ECR tag, and an unchanged service is never rebuilt.
 */
export function hashContextFiles(files: readonly Pick<ContextFile, 'path' | 'content'>[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.path}\0`);
    hash.update(file.content);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The content hash of the build context in `dir` (see {@link hashContextFiles}). */
export function hashBuildContext(dir: string): string {
  return readBuildContext(dir).contentHash;
}

/** Entries' modification time: fixed, so the same files always give the same archive bytes. */
const ZIP_MTIME = new Date('1980-01-01T00:00:00Z');
/** "Version made by" Unix (3): the external attributes then carry the file mode, which unzip and CodeBuild apply. */
const UNIX = 3;

/**
 * A zip of the files (the build's source: CodeBuild downloads and extracts it, and the build runs at its root),
 * deterministic: sorted entries, a fixed time, modes 0644 or 0755.
 */
export function zipContextFiles(files: readonly ContextFile[]): Uint8Array {
  const entries: Zippable = {};
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const mode = file.executable ? 0o100755 : 0o100644;
    entries[file.path] = [new Uint8Array(file.content), { mtime: ZIP_MTIME, os: UNIX, attrs: mode << 16, level: 6 }];
  }
  return zipSync(entries);
}

/**
 * Returns a copy of a raw (unvalidated) spec object in which every `build` block has its `contentHash` set from
 * the files under `rootDir`. Used by the CLI before it submits a deployment. When `contexts` is given, each
 * context read is added to it by content hash (what the CLI then uploads); `hashOf` lets the validation measure the
 * spec as it will be submitted without reading any file (it then records no context).
 */
export function withContentHashes(
  raw: unknown,
  rootDir: string,
  contexts?: Map<string, BuildContextFiles & { context: string }>,
  hashOf?: (dir: string) => string,
): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const fill = (holder: unknown) => {
    if (!holder || typeof holder !== 'object') return;
    const build = (holder as { build?: { context?: unknown; contentHash?: string } }).build;
    if (build && typeof build.context === 'string') {
      if (hashOf) {
        build.contentHash = hashOf(join(rootDir, build.context));
      } else {
        const read = readBuildContext(join(rootDir, build.context));
        build.contentHash = read.contentHash;
        contexts?.set(read.contentHash, { ...read, context: build.context });
      }
    }
  };
  // The spec may be invalid (validation measures its size too): only what has the expected shape is filled in.
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  copy.consul ??= {};
  if (isObject(copy.consul)) {
    const consul = copy.consul as { servers?: unknown; dataplane?: unknown };
    fill(consul.servers);
    // The dataplane image is built from docker/consul-dataplane unless the spec names one.
    consul.dataplane ??= {};
    if (isObject(consul.dataplane)) {
      const dataplane = consul.dataplane as { image?: unknown; build?: unknown };
      if (!dataplane.image && !dataplane.build) dataplane.build = { context: DEFAULT_DATAPLANE_CONTEXT };
      fill(dataplane);
    }
  }
  for (const cluster of Array.isArray(copy.clusters) ? copy.clusters : []) {
    const services = isObject(cluster) ? cluster.services : undefined;
    for (const service of Array.isArray(services) ? services : []) fill(service);
  }
  return copy;
}
