import type { WriteTxn } from './store';
import { configKey, type ConfigEntryRecord, type ConsulState } from './types';

/** Config entry operations of Consul's state store (`agent/consul/state/config_entry.go`). */

/** The config entry kinds Consul knows (`structs.MakeConfigEntry`); any other kind is refused. */
export const CONFIG_ENTRY_KINDS: ReadonlySet<string> = new Set([
  'service-defaults',
  'proxy-defaults',
  'service-router',
  'service-splitter',
  'service-resolver',
  'ingress-gateway',
  'terminating-gateway',
  'service-intentions',
  'mesh',
  'exported-services',
  'sameness-group',
  'api-gateway',
  'bound-api-gateway',
  'inline-certificate',
  'file-system-certificate',
  'http-route',
  'tcp-route',
  'jwt-provider',
]);

/** Create or replace an entry; the body keeps Kind/Name and all kind-specific fields as applied. */
export function configUpsert(
  txn: WriteTxn,
  kind: string,
  name: string,
  body: Record<string, unknown>,
): ConfigEntryRecord {
  const key = configKey(kind, name);
  const existing = txn.state.configEntries.get(key);
  const record: ConfigEntryRecord = {
    Kind: kind,
    Name: name,
    Body: body,
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  };
  txn.state.configEntries.set(key, record);
  txn.state.indexes.configEntries = txn.index;
  txn.touch(`config:${key}`);
  return record;
}

/** Check-and-set upsert: 0 means "only if absent", otherwise the entry's ModifyIndex must match. */
export function configUpsertCas(
  txn: WriteTxn,
  kind: string,
  name: string,
  body: Record<string, unknown>,
  casIndex: number,
): boolean {
  const existing = txn.state.configEntries.get(configKey(kind, name));
  if (!existing && casIndex !== 0) return false;
  if (existing && existing.ModifyIndex !== casIndex) return false;
  configUpsert(txn, kind, name, body);
  return true;
}

export function configDelete(txn: WriteTxn, kind: string, name: string): void {
  const key = configKey(kind, name);
  if (!txn.state.configEntries.delete(key)) return;
  txn.state.indexes.configEntries = txn.index;
  txn.touch(`config:${key}`);
}

/** Delete only when the entry exists with ModifyIndex `casIndex`. */
export function configDeleteCas(txn: WriteTxn, kind: string, name: string, casIndex: number): boolean {
  const existing = txn.state.configEntries.get(configKey(kind, name));
  if (!existing || existing.ModifyIndex !== casIndex) return false;
  configDelete(txn, kind, name);
  return true;
}

export function configList(state: ConsulState, kind: string): ConfigEntryRecord[] {
  return [...state.configEntries.values()].filter((e) => e.Kind === kind).sort((a, b) => (a.Name < b.Name ? -1 : 1));
}
