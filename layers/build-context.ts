import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Where the dataplane image is built from when a spec does not name one. */
export const DEFAULT_DATAPLANE_CONTEXT = 'docker/consul-dataplane';

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
 * the files under `rootDir`. Used by the CLI before it submits a deployment; `hashOf` lets the validation measure
 * the spec as it will be submitted without reading any file.
 */
export function withContentHashes(raw: unknown, rootDir: string, hashOf: (dir: string) => string = hashBuildContext): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const fill = (holder: unknown) => {
    if (!holder || typeof holder !== 'object') return;
    const build = (holder as { build?: { context?: unknown; contentHash?: string } }).build;
    if (build && typeof build.context === 'string') build.contentHash = hashOf(join(rootDir, build.context));
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
