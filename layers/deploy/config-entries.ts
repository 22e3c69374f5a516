import type { ConsulApi } from '../adapters/consul';
import { buildConfigEntries } from '../domain/consul/config-entries';
import { stableStringify } from '../domain/ecs/hash';
import type { MeshSpec } from '../domain/spec/schema';
import { NoConsulLeaderError } from '../errors';
import { deployedSpecKey } from '../domain/registration/keys';

/** Where the deployed spec lives in Consul KV (a key of the domain: the task-event handler reads it too). */
export { deployedSpecKey };

/**
 * Writes the spec's config entries into Consul in apply order (service-defaults first: the gateway and the
 * intentions need each service's protocol), once a leader exists. An entry Consul already holds with the same
 * content is not written again, so a re-run makes no Raft write.
 */
export async function applyConfigEntries(spec: MeshSpec, consul: ConsulApi): Promise<{ written: string[]; unchanged: string[] }> {
  if (!(await consul.leader())) throw new NoConsulLeaderError('Consul has no leader yet; config entries need one');
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const entry of buildConfigEntries(spec)) {
    const id = `${entry.Kind}/${entry.Name}`;
    const current = await consul.getConfigEntry(entry.Kind, entry.Name);
    if (current && sameEntry(entry, current)) {
      unchanged.push(id);
      continue;
    }
    await consul.putConfigEntry(entry);
    written.push(id);
  }
  // The spec itself, for the task-event handler and the reconcile (Consul KV holds up to 512 KB; the spec ≤ 256 KB).
  const specKey = deployedSpecKey(spec);
  const specJson = JSON.stringify(spec);
  const current = await consul.kvGet(specKey);
  if (current?.value !== specJson) {
    await consul.kvPut(specKey, specJson);
    written.push(specKey);
  } else unchanged.push(specKey);
  return { written, unchanged };
}

/** Consul adds CreateIndex/ModifyIndex (and may add defaults); compare only the keys we set. */
function sameEntry(desired: object, current: Record<string, unknown>): boolean {
  const picked = Object.fromEntries(Object.keys(desired).map((k) => [k, current[k]]));
  return stableStringify(picked) === stableStringify(desired);
}
