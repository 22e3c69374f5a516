import type { ConsulApi } from '../adapters/consul';
import { deployedSpecKey } from '../domain/registration/keys';
import { formatPath } from '../domain/spec/issues';
import { MeshSpecSchema, type MeshSpec } from '../domain/spec/schema';
import { SpecInvalidError } from '../errors';

/** Default of SPEC_CACHE_SECONDS: a deployment's new spec reaches every warm container within this time. */
export const DEFAULT_SPEC_MAX_AGE_MS = 10_000;

export interface DeployedSpecOptions {
  /** How long a cached spec is used without asking Consul; 0 checks on every call. */
  maxAgeMs?: number;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

interface CachedSpec {
  spec: MeshSpec;
  modifyIndex: number;
  checkedAt: number;
}

/** One cache per client (a container builds its client once), then per mesh. */
const caches = new WeakMap<object, Map<string, CachedSpec>>();

/**
 * The spec the last deployment stored in Consul KV (`consul-mesh/<mesh>/spec`), validated with MeshSpecSchema.
 *
 * Cached per container: within `maxAgeMs` no Consul call at all (so a task outside the mesh costs nothing); after
 * that one KV read, and the JSON is parsed and validated again only if its ModifyIndex changed.
 * A mesh never deployed has no spec: the answer is `undefined` (not cached, so the first deployment is seen at once).
 *
 * @throws SpecInvalidError when the stored value is not a valid spec of this mesh (a deployment defect: loud, never ignored).
 * @example const spec = await loadDeployedSpec(consul, 'reference-mesh'); if (!spec) return; // not deployed yet
 */
export async function loadDeployedSpec(consul: Pick<ConsulApi, 'kvGet'>, meshName: string, options: DeployedSpecOptions = {}): Promise<MeshSpec | undefined> {
  const now = options.now?.() ?? Date.now();
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SPEC_MAX_AGE_MS;
  let cache = caches.get(consul);
  if (!cache) caches.set(consul, (cache = new Map()));
  const cached = cache.get(meshName);
  if (cached && now - cached.checkedAt < maxAgeMs) return cached.spec;

  const key = deployedSpecKey({ name: meshName });
  const entry = await consul.kvGet(key);
  if (!entry) {
    cache.delete(meshName);
    return undefined;
  }
  if (cached && cached.modifyIndex === entry.modifyIndex) {
    cached.checkedAt = now;
    return cached.spec;
  }
  const spec = parseDeployedSpec(entry.value, key, meshName);
  cache.set(meshName, { spec, modifyIndex: entry.modifyIndex, checkedAt: now });
  return spec;
}

function parseDeployedSpec(text: string, key: string, meshName: string): MeshSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SpecInvalidError([{ path: `(consul kv ${key})`, message: 'is not JSON' }]);
  }
  const parsed = MeshSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SpecInvalidError(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: `${i.message} (consul kv ${key})` })));
  }
  if (parsed.data.name !== meshName) {
    throw new SpecInvalidError([{ path: 'name', message: `is "${parsed.data.name}", but ${key} belongs to mesh "${meshName}"` }]);
  }
  return parsed.data;
}
