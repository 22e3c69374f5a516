import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_DATAPLANE_CONTEXT, withContentHashes, type BuildContextFiles } from '../layers/build-context';
import { sortIssues, validateMeshSpec, type MeshSpec, type SpecIssue } from '../layers/domain/spec';

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
  if (!first.ok) {
    // Reported with the spec's other problems, in one pass: a missing build context is found from the raw spec.
    const raw = readRaw(path);
    const missing = raw === undefined ? [] : missingContexts(rawContexts(raw), rootDir);
    return { ok: false, issues: sortIssues([...first.issues, ...missing]) };
  }
  const raw: unknown = parse(readFileSync(path, 'utf8'));
  const missing = missingContexts(specContexts(first.spec), rootDir);
  if (missing.length > 0) return { ok: false, issues: missing };
  const contexts = new Map<string, BuildContextFiles & { context: string }>();
  const hashed = withContentHashes(raw, rootDir, contexts);
  const second = validateMeshSpec({ object: hashed });
  if (!second.ok) return second;
  return { ok: true, raw: hashed, spec: second.spec, contexts };
}

type ContextAt = { path: string; context: string };

/** The spec's build contexts by path (a valid spec: defaults filled in). */
function specContexts(spec: MeshSpec): ContextAt[] {
  const contexts: ContextAt[] = [];
  if (spec.consul.servers.build) contexts.push({ path: 'consul.servers.build.context', context: spec.consul.servers.build.context });
  // Without an image or a build of its own, the dataplane image is built from the default context.
  const dataplane = spec.consul.dataplane;
  if (!dataplane.image) contexts.push({ path: 'consul.dataplane.build.context', context: dataplane.build?.context ?? DEFAULT_DATAPLANE_CONTEXT });
  spec.clusters.forEach((cluster, ci) =>
    cluster.services.forEach((service, si) => {
      if (service.build) contexts.push({ path: `clusters[${ci}].services[${si}].build.context`, context: service.build.context });
    }),
  );
  return contexts;
}

/** The build contexts a spec the schema refused still names: each `build.context` that is a string. */
function rawContexts(raw: unknown): ContextAt[] {
  const contexts: ContextAt[] = [];
  const at = (holder: unknown, path: string) => {
    const context = (holder as { build?: { context?: unknown } } | undefined)?.build?.context;
    // A context the schema refuses (absolute, or climbing out with "..") is reported by the schema already.
    if (typeof context === 'string' && context !== '' && !context.startsWith('/') && !context.split('/').includes('..')) contexts.push({ path: `${path}.build.context`, context });
  };
  const spec = raw as { consul?: { servers?: unknown; dataplane?: unknown }; clusters?: unknown };
  at(spec?.consul?.servers, 'consul.servers');
  at(spec?.consul?.dataplane, 'consul.dataplane');
  if (Array.isArray(spec?.clusters)) {
    spec.clusters.forEach((cluster: { services?: unknown }, ci) => {
      if (Array.isArray(cluster?.services)) cluster.services.forEach((service, si) => at(service, `clusters[${ci}].services[${si}]`));
    });
  }
  return contexts;
}

function readRaw(path: string): unknown {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function missingContexts(contexts: ContextAt[], rootDir: string): SpecIssue[] {
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
