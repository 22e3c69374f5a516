/**
 * The emulated Consul HTTP API of the local cloud: catalog, health, KV, config entries, `/v1/txn`, status,
 * ACLs and blocking queries, faithful enough for the npm `consul` client and plain `fetch`.
 */
export { ConsulServer, startConsulServer, EMULATED_CONSUL_VERSION } from './server';
export type { ConsulServerOptions, ConsulFaults, ConsulSnapshot } from './server';
export type { AclPolicy, AclSettings } from './acl';
export type { DataplaneAccess } from './dataplane-access';
export type { QuorumSource, RaftView } from './leadership';
export type { CatalogSnapshot } from './snapshot';
export type { NodeRecord, ServiceRecord, CheckRecord } from './store/types';
export { MAX_TXN_OPS } from './endpoints/txn';
export { PeeringNetwork } from './peering/network';
export type { PeeringState } from './peering/service';
