import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Where the dataplane image is built from when a spec does not name one. */
export const DEFAULT_DATAPLANE_CONTEXT = 'docker/consul-dataplane';

/**
 * The content hash of DEFAULT_DATAPLANE_CONTEXT as this release ships it (`hashBuildContext`; a unit test keeps it
 * equal to the files). The HTTP API never sees the files, yet must accept the specs `meshctl validate` accepts,
 * most of which name no dataplane: with this it fills the very default `meshctl deploy` fills, same image tag.
 */
export const DEFAULT_DATAPLANE_CONTENT_HASH = 'a0a0d176cc054f296408d03edd90c31f518d591a59392e93c7e1d328b3e3f3e9';

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

/**
 * The content hash of a build context: sha256 over every file's relative path and bytes, in sorted order.
 * Identical contexts give identical hashes on any machine, so "is this image already built?" is answered by
 * looking the hash up as an ECR tag, and an unchanged service is never rebuilt.
 */
export function hashBuildContext(dir: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  if (!statSync(dir).isDirectory()) throw new Error(`build context ${dir} is not a directory`);
  walk(dir);
  const hash = createHash('sha256');
  for (const file of files.map((f) => relative(dir, f).split(sep).join('/')).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * Returns a copy of a raw (unvalidated) spec object in which every `build` block has its `contentHash` set from
 * the files under `rootDir`. Used by the CLI before it submits a deployment.
 */
export function withContentHashes(raw: unknown, rootDir: string): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const fill = (holder: unknown) => {
    if (!holder || typeof holder !== 'object') return;
    const build = (holder as { build?: { context?: unknown; contentHash?: string } }).build;
    if (build && typeof build.context === 'string') build.contentHash = hashBuildContext(join(rootDir, build.context));
  };
  const consul = (copy.consul ??= {}) as { servers?: unknown; dataplane?: { image?: string; build?: unknown } };
  fill(consul.servers);
  // The dataplane image is built from docker/consul-dataplane unless the spec names one.
  consul.dataplane ??= {};
  if (!consul.dataplane.image && !consul.dataplane.build) consul.dataplane.build = { context: DEFAULT_DATAPLANE_CONTEXT };
  fill(consul.dataplane);
  for (const cluster of (copy.clusters as Array<{ services?: unknown[] }> | undefined) ?? []) {
    for (const service of cluster.services ?? []) fill(service);
  }
  return copy;
}
