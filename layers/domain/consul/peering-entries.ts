import type { MeshSpec } from '../spec/schema';
import type { ExportedServicesEntry, MeshEntry } from './config-entry-types';

/**
 * The `mesh` config entry of a mesh with a mesh gateway: `Peering.PeerThroughMeshGateways = true`, so the peering
 * control plane (the token's server addresses, the replication stream) goes through the mesh gateways rather than
 * straight to the servers' gRPC port (Consul 1.14+, "Enabling peering control plane traffic"). None without a mesh
 * gateway: nothing new for a mesh that does not peer. The entry is a singleton named `mesh`; writing it replaces it
 * whole, so the mesh owns it.
 */
export function buildMeshEntry(spec: MeshSpec): MeshEntry | undefined {
  if (!spec.meshGateway) return undefined;
  return { Kind: 'mesh', Name: 'mesh', Peering: { PeerThroughMeshGateways: true } };
}

/**
 * The `exported-services` entry (`default`: the only one without admin partitions) listing each exported service
 * and the peers that may import it (one consumer `Peer` each, which Consul requires: one of Peer, Partition or
 * SamenessGroup, never `*`). Services in spec order, peers in the export's order. None when nothing is exported,
 * so removing the last export deletes the entry.
 */
export function buildExportedServicesEntry(spec: MeshSpec): ExportedServicesEntry | undefined {
  if (spec.exports.length === 0) return undefined;
  return {
    Kind: 'exported-services',
    Name: 'default',
    Services: spec.exports.map((e) => ({ Name: e.service, Consumers: e.peers.map((peer) => ({ Peer: peer })) })),
  };
}
