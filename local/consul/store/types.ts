/**
 * The records the emulated Consul keeps, shaped like the structs of Consul's state store.
 *
 * Records are immutable: a write replaces a record, never mutates it, so a transaction can work on a shallow copy
 * of the tables and be dropped whole on rollback.
 */

/** A node of the catalog (`structs.Node`). */
export interface NodeRecord {
  readonly ID: string;
  readonly Node: string;
  readonly Address: string;
  readonly Datacenter: string;
  readonly TaggedAddresses: Readonly<Record<string, string>> | null;
  readonly Meta: Readonly<Record<string, string>> | null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** A tagged address of a service (`structs.ServiceAddress`). */
export interface ServiceAddress {
  readonly Address: string;
  readonly Port: number;
}

/** A service instance on a node (`structs.NodeService`), plus the node it lives on. */
export interface ServiceRecord {
  readonly Node: string;
  /** "" for a typical service, or connect-proxy, ingress-gateway, terminating-gateway, mesh-gateway, api-gateway. */
  readonly Kind: string;
  readonly ID: string;
  readonly Service: string;
  readonly Tags: readonly string[] | null;
  readonly Address: string;
  readonly TaggedAddresses: Readonly<Record<string, ServiceAddress>> | null;
  readonly Meta: Readonly<Record<string, string>> | null;
  readonly Port: number;
  readonly Weights: { readonly Passing: number; readonly Warning: number };
  readonly EnableTagOverride: boolean;
  /** `Proxy` as sent, with Consul's defaults filled in (Mode, MeshGateway, Expose, upstream DestinationType). */
  readonly Proxy: Readonly<Record<string, unknown>>;
  readonly Connect: Readonly<Record<string, unknown>>;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** A health check (`structs.HealthCheck`). Node-level when `ServiceID` is "". */
export interface CheckRecord {
  readonly Node: string;
  readonly CheckID: string;
  readonly Name: string;
  readonly Status: string;
  readonly Notes: string;
  readonly Output: string;
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags: readonly string[];
  readonly Type: string;
  readonly Definition: Readonly<Record<string, unknown>>;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** A KV entry (`structs.DirEntry`). `Value` is null for an entry written with an empty body, as Consul keeps it. */
export interface KvRecord {
  readonly Key: string;
  readonly Flags: number;
  readonly Value: Buffer | null;
  readonly LockIndex: number;
  readonly Session: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/** A config entry: the body as applied (Kind, Name and kind-specific fields) and its Raft indexes. */
export interface ConfigEntryRecord {
  readonly Kind: string;
  readonly Name: string;
  readonly Body: Readonly<Record<string, unknown>>;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
}

/**
 * Per-table indexes, as Consul's `index` table keeps them: a read answers the index of the table (or of the
 * service) it looked at, so a blocking query wakes only when that part of the state changed.
 */
export interface TableIndexes {
  nodes: number;
  services: number;
  checks: number;
  kvs: number;
  configEntries: number;
  /** Consul's `service_last_extinction`: the last index at which some service name lost its last instance. */
  serviceExtinction: number;
}

/** The whole state at one Raft index. */
export interface ConsulState {
  readonly nodes: Map<string, NodeRecord>;
  /** Keyed by {@link serviceKey}. */
  readonly services: Map<string, ServiceRecord>;
  /** Keyed by {@link checkKey}. */
  readonly checks: Map<string, CheckRecord>;
  readonly kv: Map<string, KvRecord>;
  /** Consul's KV graveyard: deleted key → index of the deletion, so list indexes never go backwards. */
  readonly tombstones: Map<string, number>;
  /** Keyed by {@link configKey}. */
  readonly configEntries: Map<string, ConfigEntryRecord>;
  /** Consul's `service.<name>` index entries: the last index that touched any instance of the name or its health. */
  readonly serviceIndexes: Map<string, number>;
  readonly indexes: TableIndexes;
}

export function serviceKey(node: string, serviceId: string): string {
  return `${node}\u0000${serviceId}`;
}

export function checkKey(node: string, checkId: string): string {
  return `${node}\u0000${checkId}`;
}

export function configKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

export function emptyState(): ConsulState {
  return {
    nodes: new Map(),
    services: new Map(),
    checks: new Map(),
    kv: new Map(),
    tombstones: new Map(),
    configEntries: new Map(),
    serviceIndexes: new Map(),
    indexes: { nodes: 0, services: 0, checks: 0, kvs: 0, configEntries: 0, serviceExtinction: 0 },
  };
}

/** A copy whose tables can be written without touching `state` (records are shared: they are never mutated). */
export function cloneState(state: ConsulState): ConsulState {
  return {
    nodes: new Map(state.nodes),
    services: new Map(state.services),
    checks: new Map(state.checks),
    kv: new Map(state.kv),
    tombstones: new Map(state.tombstones),
    configEntries: new Map(state.configEntries),
    serviceIndexes: new Map(state.serviceIndexes),
    indexes: { ...state.indexes },
  };
}
