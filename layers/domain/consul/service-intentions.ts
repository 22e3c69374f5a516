import type { MeshSpec } from '../spec/schema';
import type { IntentionSourceEntry, ServiceIntentionsEntry } from './config-entry-types';

/**
 * One `service-intentions` entry per destination, destinations in the order they first appear in the spec and
 * sources in spec order (Consul evaluates them by precedence, not order). A source named twice for one destination
 * keeps its first action: Consul refuses an entry that lists a source twice. A source of a peer carries its `Peer`
 * (it is another service than a local one of the same name: Consul keys sources by peer and name).
 *
 * With ACLs' `default_policy = "deny"`, only what is listed here may connect.
 */
export function buildServiceIntentions(spec: MeshSpec): ServiceIntentionsEntry[] {
  const sourcesByDestination = new Map<string, IntentionSourceEntry[]>();
  for (const intention of spec.intentions) {
    let sources = sourcesByDestination.get(intention.destination);
    if (!sources) {
      sources = [];
      sourcesByDestination.set(intention.destination, sources);
    }
    const peer = intention.peer;
    if (!sources.some((s) => s.Name === intention.source && s.Peer === peer)) sources.push({ Name: intention.source, ...(peer ? { Peer: peer } : {}), Action: intention.action });
  }
  return [...sourcesByDestination].map(([destination, sources]) => ({ Kind: 'service-intentions', Name: destination, Sources: sources }));
}
