import type { MeshSpec } from '../spec/schema';
import { servicesWithCluster } from '../naming';
import type { ServiceDefaultsEntry } from './config-entry-types';

/**
 * One `service-defaults` entry per mesh service, in spec order, carrying the spec's protocol.
 *
 * The gateway gets none: an ingress gateway's protocol is set per listener in its own entry, and Consul checks each
 * listener against the protocol of the services it exposes (a `*` listener exposes the services whose protocol
 * matches it). That is why these entries must be written before the gateway's.
 */
export function buildServiceDefaults(spec: MeshSpec): ServiceDefaultsEntry[] {
  return servicesWithCluster(spec).map(({ service }) => ({ Kind: 'service-defaults', Name: service.name, Protocol: service.protocol }));
}
