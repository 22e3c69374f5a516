import type { WriteTxn } from './store';
import type { ConsulState, KvRecord } from './types';

/** KV operations of Consul's state store (`agent/consul/state/kvs.go`), shared by `/v1/kv` and `/v1/txn`. */

/** Consul refuses KV values above `kv_max_value_size`, 512 KiB by default. */
export const KV_MAX_VALUE_SIZE = 512 * 1024;

export interface KvInput {
  Key: string;
  /** An empty value is kept as null, as Consul stores an empty PUT body. */
  Value: Buffer | null;
  Flags: number;
}

/** Set a key, keeping its CreateIndex, LockIndex and Session. */
export function kvSet(txn: WriteTxn, input: KvInput): KvRecord {
  const existing = txn.state.kv.get(input.Key);
  const record: KvRecord = {
    Key: input.Key,
    Flags: input.Flags,
    Value: input.Value && input.Value.length > 0 ? input.Value : null,
    LockIndex: existing?.LockIndex ?? 0,
    Session: existing?.Session ?? '',
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  };
  txn.state.kv.set(input.Key, record);
  txn.state.tombstones.delete(input.Key);
  txn.state.indexes.kvs = txn.index;
  txn.touch(`kv:${input.Key}`);
  return record;
}

/**
 * Check-and-set: with `casIndex` 0 the key must not exist; otherwise its ModifyIndex must equal `casIndex`.
 * Returns undefined (and writes nothing) when the check fails.
 */
export function kvCas(txn: WriteTxn, input: KvInput, casIndex: number): KvRecord | undefined {
  const existing = txn.state.kv.get(input.Key);
  if (!existing && casIndex !== 0) return undefined;
  if (existing && existing.ModifyIndex !== casIndex) return undefined;
  return kvSet(txn, input);
}

/** Delete a key, leaving a tombstone so list indexes never go backwards. A missing key changes nothing. */
export function kvDelete(txn: WriteTxn, key: string): void {
  if (!txn.state.kv.has(key)) return;
  txn.state.kv.delete(key);
  txn.state.tombstones.set(key, txn.index);
  txn.state.indexes.kvs = txn.index;
  txn.touch(`kv:${key}`);
}

/**
 * Delete only if the key's ModifyIndex equals `casIndex`. A missing key counts as deleted (true), and a 0 index
 * never deletes an existing key, as the KV API documents.
 */
export function kvDeleteCas(txn: WriteTxn, key: string, casIndex: number): boolean {
  const existing = txn.state.kv.get(key);
  if (!existing) return true;
  if (existing.ModifyIndex !== casIndex) return false;
  kvDelete(txn, key);
  return true;
}

/** Delete every key under `prefix`. */
export function kvDeleteTree(txn: WriteTxn, prefix: string): void {
  for (const key of [...txn.state.kv.keys()]) if (key.startsWith(prefix)) kvDelete(txn, key);
}

export function kvList(state: ConsulState, prefix: string): KvRecord[] {
  return [...state.kv.values()].filter((e) => e.Key.startsWith(prefix)).sort((a, b) => compare(a.Key, b.Key));
}

/**
 * Keys under `prefix`; with a separator, keys are cut after the first separator past the prefix and
 * de-duplicated, giving one level of the tree (`["web/", "web/conf"]` style), as Consul's `KVS.ListKeys`.
 */
export function kvKeys(state: ConsulState, prefix: string, separator: string): string[] {
  const keys = new Set<string>();
  for (const entry of kvList(state, prefix)) {
    if (separator === '') {
      keys.add(entry.Key);
      continue;
    }
    const cut = entry.Key.indexOf(separator, prefix.length);
    keys.add(cut === -1 ? entry.Key : entry.Key.slice(0, cut + separator.length));
  }
  return [...keys];
}

/**
 * The index a KV read answers: for one key its ModifyIndex, for a missing key the KV table's index; for a
 * prefix the highest ModifyIndex or tombstone under it (the whole table's index for the empty prefix).
 */
export function kvIndex(state: ConsulState, prefix: string, exactKey: boolean): number {
  if (exactKey) return state.kv.get(prefix)?.ModifyIndex ?? state.indexes.kvs;
  if (prefix === '') return state.indexes.kvs;
  let max = 0;
  for (const entry of state.kv.values()) if (entry.Key.startsWith(prefix)) max = Math.max(max, entry.ModifyIndex);
  for (const [key, index] of state.tombstones) if (key.startsWith(prefix)) max = Math.max(max, index);
  return max === 0 ? state.indexes.kvs : max;
}

/** Byte order, as Consul's radix tree sorts keys. */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
