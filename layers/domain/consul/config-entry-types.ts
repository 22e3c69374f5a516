import type { ListenerSpec } from '../spec/schema';

/** A protocol as Consul's config entries spell it (the spec uses the same words). */
export type ConsulProtocol = ListenerSpec['protocol'];

/** `service-defaults`: per-service settings; here the protocol, which L7 features and the ingress gateway need first. */
export interface ServiceDefaultsEntry {
  Kind: 'service-defaults';
  Name: string;
  Protocol: ConsulProtocol;
}

/** One service an ingress listener routes to; `Hosts` only on L7 listeners and never with `*`. */
export interface IngressServiceEntry {
  Name: string;
  Hosts?: string[];
}

export interface IngressListenerEntry {
  Port: number;
  Protocol: ConsulProtocol;
  Services: IngressServiceEntry[];
}

/** `ingress-gateway`: the listeners of the gateway named `Name` and the services each exposes. */
export interface IngressGatewayEntry {
  Kind: 'ingress-gateway';
  Name: string;
  Listeners: IngressListenerEntry[];
}

export interface IntentionSourceEntry {
  Name: string;
  /** The peer the source service is imported from (cluster peering); absent for a service of this datacenter. */
  Peer?: string;
  Action: 'allow' | 'deny';
}

/** `service-intentions`: who may call the destination `Name`. */
export interface ServiceIntentionsEntry {
  Kind: 'service-intentions';
  Name: string;
  Sources: IntentionSourceEntry[];
}

/** `mesh`: the datacenter-wide mesh settings; here only whether peering runs through the mesh gateways. */
export interface MeshEntry {
  Kind: 'mesh';
  Name: 'mesh';
  Peering: { PeerThroughMeshGateways: boolean };
}

/** `exported-services`: which services each peer may import. */
export interface ExportedServicesEntry {
  Kind: 'exported-services';
  Name: 'default';
  Services: Array<{ Name: string; Consumers: Array<{ Peer: string }> }>;
}

/** A config entry as the body of `PUT /v1/config` (JSON) or a `consul config write` file (HCL). */
export type ConfigEntry = ServiceDefaultsEntry | IngressGatewayEntry | ServiceIntentionsEntry | MeshEntry | ExportedServicesEntry;
