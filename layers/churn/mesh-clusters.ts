import type { MeshSpec } from '../domain/spec/schema';

/**
 * The ECS clusters whose tasks can belong to the mesh: the service clusters, the ingress cluster and the Consul
 * server cluster. A task of any other cluster is dropped before any Consul read (the EventBridge rule is scoped
 * to these clusters too, but a handler does not rely on its trigger's filter).
 */
export function meshClusterNames(spec: MeshSpec): Set<string> {
  const names = new Set(spec.clusters.map((c) => c.name));
  names.add(spec.consul.servers.cluster);
  if (spec.ingress) names.add(spec.ingress.cluster);
  return names;
}

/** The clusters whose tasks register in the catalog (one synthetic node each): services and the ingress gateway. */
export function registeringClusterNames(spec: MeshSpec): string[] {
  const names = spec.clusters.map((c) => c.name);
  if (spec.ingress && !names.includes(spec.ingress.cluster)) names.push(spec.ingress.cluster);
  return names;
}
