import type { SsmApi } from '../adapters/ssm';
import type { ConsulApi } from '../adapters/consul';
import { buildConfigEntries } from '../domain/consul/config-entries';
import { stableStringify } from '../domain/ecs/hash';
import type { MeshSpec } from '../domain/spec/schema';
import { NoConsulLeaderError } from '../errors';
import { deployedSpecKey, kvPrefix } from '../domain/registration/keys';
import { storeSpecCopy } from './spec-copy';

/** Where the deployed spec lives in Consul KV (a key of the domain: the task-event handler reads it too). */
export { deployedSpecKey };

/**
 * The marker the orchestrator keeps in Consul KV once it has set a datacenter up (ACLs, config entries, the spec).
 * Consul's state lives on its servers: a datacenter whose servers were all lost comes back empty, and a leader
 * without this key is how the recovery (layers/recovery) knows it must restore it.
 */
export function datacenterMarkerKey(spec: Pick<MeshSpec, 'name'>): string {
  return `${kvPrefix(spec)}/datacenter`;
}

/**
 * Writes the spec's config entries into Consul in apply order (service-defaults first: the gateway and the
 * intentions need each service's protocol), once a leader exists. An entry Consul already holds with the same
 * content is not written again, so a re-run makes no Raft write. Then the spec itself (KV), its copy in SSM (with
 * `copy`: what a datacenter that lost every server is restored from), and the datacenter marker, each only when
 * missing or different.
 */
export async function applyConfigEntries(
  spec: MeshSpec,
  consul: Pick<ConsulApi, 'leader' | 'getConfigEntry' | 'putConfigEntry' | 'kvGet' | 'kvPut'>,
  copy?: { ssm: Pick<SsmApi, 'getParameter' | 'putParameter'>; root?: string; markedBy?: string },
): Promise<{ written: string[]; unchanged: string[] }> {
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
  if (copy) {
    // Before the marker: a datacenter is marked only once what restores it is stored.
    const stored = await storeSpecCopy(spec, copy);
    (stored === 'written' ? written : unchanged).push('ssm:recovery/spec');
  }
  const markerKey = datacenterMarkerKey(spec);
  if (!(await consul.kvGet(markerKey))) {
    await consul.kvPut(markerKey, JSON.stringify({ since: new Date().toISOString(), by: copy?.markedBy ?? 'deployment' }));
    written.push(markerKey);
  } else unchanged.push(markerKey);
  return { written, unchanged };
}

/** Consul adds CreateIndex/ModifyIndex (and may add defaults); compare only the keys we set. */
function sameEntry(desired: object, current: Record<string, unknown>): boolean {
  const picked = Object.fromEntries(Object.keys(desired).map((k) => [k, current[k]]));
  return stableStringify(picked) === stableStringify(desired);
}
