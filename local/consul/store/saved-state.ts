/**
 * The emulator's Raft state as plain data, for the local cloud's persistence: what a Consul server keeps in its
 * data directory (catalog, health checks, KV with its tombstones, config entries, the indexes).
 *
 * The catalog is saved as it is, registrations of ECS tasks included: after a restart those tasks no longer exist
 * (the ECS simulation starts fresh ones), and repairing the catalog is the orchestrator's reconcile's job, exactly
 * as it would be for a real Consul that outlived its tasks.
 */
import {
  checkKey,
  configKey,
  serviceKey,
  type CheckRecord,
  type ConfigEntryRecord,
  type ConsulState,
  type KvRecord,
  type NodeRecord,
  type ServiceRecord,
  type TableIndexes,
} from './types';

/** A KV entry with its value as base64 (values are bytes). */
export type SavedKvEntry = Omit<KvRecord, 'Value'> & { readonly Value: string | null };

export interface SavedConsulState {
  /** The Raft index the state was committed at. */
  readonly index: number;
  readonly nodes: NodeRecord[];
  readonly services: ServiceRecord[];
  readonly checks: CheckRecord[];
  readonly kv: SavedKvEntry[];
  /** `[key, index of the deletion]`. */
  readonly tombstones: [string, number][];
  readonly configEntries: ConfigEntryRecord[];
  /** `[service name, index]`. */
  readonly serviceIndexes: [string, number][];
  readonly indexes: TableIndexes;
}

/** The committed state at `index` as plain data. */
export function saveConsulState(state: ConsulState, index: number): SavedConsulState {
  return structuredClone({
    index,
    nodes: [...state.nodes.values()],
    services: [...state.services.values()],
    checks: [...state.checks.values()],
    kv: [...state.kv.values()].map((entry) => ({ ...entry, Value: entry.Value === null ? null : entry.Value.toString('base64') })),
    tombstones: [...state.tombstones],
    configEntries: [...state.configEntries.values()],
    serviceIndexes: [...state.serviceIndexes],
    indexes: { ...state.indexes },
  });
}

/** The state a saved one describes, with the tables keyed as the store keys them. */
export function loadConsulState(saved: SavedConsulState): ConsulState {
  const copy = structuredClone(saved);
  return {
    nodes: new Map(copy.nodes.map((node) => [node.Node, node])),
    services: new Map(copy.services.map((service) => [serviceKey(service.Node, service.ID), service])),
    checks: new Map(copy.checks.map((check) => [checkKey(check.Node, check.CheckID), check])),
    kv: new Map(copy.kv.map((entry) => [entry.Key, { ...entry, Value: entry.Value === null ? null : Buffer.from(entry.Value, 'base64') }])),
    tombstones: new Map(copy.tombstones),
    configEntries: new Map(copy.configEntries.map((entry) => [configKey(entry.Kind, entry.Name), entry])),
    serviceIndexes: new Map(copy.serviceIndexes),
    indexes: copy.indexes,
  };
}
