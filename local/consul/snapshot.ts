import type { ConsulStore } from './store/store';
import type { CheckRecord, NodeRecord, ServiceRecord } from './store/types';

/** A read-only copy of the emulator's state, for tests asserting on registrations and Raft writes. */
export interface CatalogSnapshot {
  /** The last Raft index. */
  readonly index: number;
  /** Raft writes so far. */
  readonly writes: number;
  readonly nodes: readonly NodeRecord[];
  /** Every service instance, with the node it runs on in `Node`. */
  readonly services: readonly ServiceRecord[];
  readonly checks: readonly CheckRecord[];
  /** KV entries with values decoded as UTF-8. */
  readonly kv: readonly {
    readonly Key: string;
    readonly Value: string | null;
    readonly Flags: number;
    readonly CreateIndex: number;
    readonly ModifyIndex: number;
  }[];
  readonly configEntries: readonly Readonly<Record<string, unknown>>[];
}

/** Copy the committed state (deeply, so a test cannot alter the store through it). */
export function buildSnapshot(store: ConsulStore): CatalogSnapshot {
  const state = store.state;
  const byKey = <T>(map: Map<string, T>): T[] =>
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return structuredClone({
    index: store.lastIndex,
    writes: store.writeCount,
    nodes: byKey(state.nodes),
    services: byKey(state.services),
    checks: byKey(state.checks),
    kv: byKey(state.kv).map((e) => ({
      Key: e.Key,
      Value: e.Value ? e.Value.toString('utf8') : null,
      Flags: e.Flags,
      CreateIndex: e.CreateIndex,
      ModifyIndex: e.ModifyIndex,
    })),
    configEntries: byKey(state.configEntries).map((e) => ({
      ...e.Body,
      Kind: e.Kind,
      Name: e.Name,
      CreateIndex: e.CreateIndex,
      ModifyIndex: e.ModifyIndex,
    })),
  });
}
