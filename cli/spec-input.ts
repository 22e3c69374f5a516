import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_DATAPLANE_CONTEXT, withContentHashes, type BuildContextFiles } from '../layers/build-context';
import { validateMeshSpec, type MeshSpec, type SpecIssue } from '../layers/domain/spec';

/**
 * A spec ready to submit: the object to send (build contexts hashed), its validated form (defaults filled) and the
 * contexts as they were read for hashing, by content hash (what is uploaded for the builds).
 */
export type PreparedSpec =
  | { ok: true; raw: unknown; spec: MeshSpec; contexts: Map<string, BuildContextFiles & { context: string }> }
  | { ok: false; issues: SpecIssue[] };

/**
 * Validates a spec file and fills in the content hash of each build context (sha256 of its files, under
 * `rootDir`). The orchestrator's Lambdas never see the files, so the hash must travel with the spec: it names the
 * image tag, and an unchanged context is not rebuilt. Invalid specs and missing contexts come back as issues
 * naming their paths, and nothing is started.
 */
export function prepareSpec(path: string, rootDir: string): PreparedSpec {
  const first = validateMeshSpec({ path });
  if (!first.ok) return first;
  const raw: unknown = parse(readFileSync(path, 'utf8'));
  const missing = missingContexts(first.spec, rootDir);
  if (missing.length > 0) return { ok: false, issues: missing };
  const contexts = new Map<string, BuildContextFiles & { context: string }>();
  const hashed = withContentHashes(raw, rootDir, contexts);
  const second = validateMeshSpec({ object: hashed });
  if (!second.ok) return second;
  return { ok: true, raw: hashed, spec: second.spec, contexts };
}

function missingContexts(spec: MeshSpec, rootDir: string): SpecIssue[] {
  const contexts: Array<{ path: string; context: string }> = [];
  if (spec.consul.servers.build) contexts.push({ path: 'consul.servers.build.context', context: spec.consul.servers.build.context });
  // Without an image or a build of its own, the dataplane image is built from the default context.
  const dataplane = spec.consul.dataplane;
  if (!dataplane.image) contexts.push({ path: 'consul.dataplane.build.context', context: dataplane.build?.context ?? DEFAULT_DATAPLANE_CONTEXT });
  spec.clusters.forEach((cluster, ci) =>
    cluster.services.forEach((service, si) => {
      if (service.build) contexts.push({ path: `clusters[${ci}].services[${si}].build.context`, context: service.build.context });
    }),
  );
  return contexts
    .filter(({ context }) => !isDirectory(join(rootDir, context)))
    .map(({ path, context }) => ({ path, message: `build context "${context}" is not a directory under ${resolve(rootDir)}` }));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
