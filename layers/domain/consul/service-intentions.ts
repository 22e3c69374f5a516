import type { MeshSpec } from '../spec/schema';
import type { IntentionSourceEntry, ServiceIntentionsEntry } from './config-entry-types';

/**
 * One `service-intentions` entry per destination, destinations in the order they first appear in the spec and
 * sources in spec order (Consul evaluates them by precedence, not order). A source named twice for one destination
 * keeps its first action: Consul refuses an entry that lists a source twice.
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
    if (!sources.some((s) => s.Name === intention.source)) sources.push({ Name: intention.source, Action: intention.action });
  }
  return [...sourcesByDestination].map(([destination, sources]) => ({ Kind: 'service-intentions', Name: destination, Sources: sources }));
}
