import type { ListenerSpec, MeshSpec } from '../spec/schema';
import type { IngressGatewayEntry, IngressServiceEntry } from './config-entry-types';
import { CONSUL_DOMAIN } from './server-names';

/**
 * The host an ingress gateway routes to a service on an L7 listener: `<service>.ingress.<domain>`, Consul's default
 * for services without explicit hosts (Consul also accepts it with `:<port>` appended).
 */
export function ingressHost(service: string, domain = CONSUL_DOMAIN): string {
  return `${service}.ingress.${domain}`;
}

/**
 * The `ingress-gateway` entry of the spec's gateway, or `undefined` when the spec has none.
 *
 * Listener services are either `*` or names. `*` routes every service of the listener's protocol by its Host header,
 * `<service>.ingress.consul`; Consul allows it only on L7 listeners (http, http2, grpc) and forbids `Hosts` with it.
 * Named services on L7 listeners get that same host explicitly; on a `tcp` listener there are no hosts (Consul
 * refuses them there, and routes the port's traffic to its single service).
 */
export function buildIngressGatewayEntry(spec: MeshSpec): IngressGatewayEntry | undefined {
  if (!spec.ingress) return undefined;
  return {
    Kind: 'ingress-gateway',
    Name: spec.ingress.name,
    Listeners: spec.ingress.listeners.map((listener) => ({
      Port: listener.port,
      Protocol: listener.protocol,
      Services: listener.services.map((name) => ingressService(listener, name)),
    })),
  };
}

function ingressService(listener: ListenerSpec, name: string): IngressServiceEntry {
  if (name === '*' || listener.protocol === 'tcp') return { Name: name };
  return { Name: name, Hosts: [ingressHost(name)] };
}
