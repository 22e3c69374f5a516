import type { MeshSpec } from '../spec/schema';
import type { ConfigEntry } from './config-entry-types';
import { buildIngressGatewayEntry } from './ingress-gateway-entry';
import { buildServiceDefaults } from './service-defaults';
import { buildServiceIntentions } from './service-intentions';
import { buildExportedServicesEntry, buildMeshEntry } from './peering-entries';

/**
 * Every config entry of the spec, in the order they must be applied: the `service-defaults` first (Consul validates
 * the gateway's listeners and L7 intentions against each service's protocol, so the protocol must exist before),
 * then the `ingress-gateway`, then the `service-intentions`. With a mesh gateway the `mesh` entry comes first (peering
 * through the gateways) and the `exported-services` last (what the peers may import).
 *
 * @example
 *   for (const entry of buildConfigEntries(spec)) await consul.put('/v1/config', entry);
 */
export function buildConfigEntries(spec: MeshSpec): ConfigEntry[] {
  const gateway = buildIngressGatewayEntry(spec);
  const mesh = buildMeshEntry(spec);
  const exported = buildExportedServicesEntry(spec);
  return [...(mesh ? [mesh] : []), ...buildServiceDefaults(spec), ...(gateway ? [gateway] : []), ...buildServiceIntentions(spec), ...(exported ? [exported] : [])];
}
