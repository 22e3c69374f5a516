import type { MeshSpec } from '../domain/spec/schema';

/** The clusters whose tasks register in the catalog (one synthetic node each): services and the gateways. */
export function registeringClusterNames(spec: MeshSpec): string[] {
  const names = spec.clusters.map((c) => c.name);
  if (spec.ingress && !names.includes(spec.ingress.cluster)) names.push(spec.ingress.cluster);
  if (spec.meshGateway && !names.includes(spec.meshGateway.cluster)) names.push(spec.meshGateway.cluster);
  return names;
}
