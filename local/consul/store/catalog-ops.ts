import { stableStringify } from '../stable-json';
import type { WriteTxn } from './store';
import {
  checkKey,
  serviceKey,
  type CheckRecord,
  type ConsulState,
  type NodeRecord,
  type ServiceAddress,
  type ServiceRecord,
} from './types';

/**
 * Catalog mutations of Consul's state store (`agent/consul/state/catalog.go`), shared by `/v1/catalog/register`,
 * `/v1/catalog/deregister` and the Node/Service/Check operations of `/v1/txn`.
 */

/** A state-store refusal; its message is Consul's (e.g. "Missing node registration"). */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

export interface NodeInput {
  ID: string;
  Node: string;
  Address: string;
  TaggedAddresses: Record<string, string> | null;
  Meta: Record<string, string> | null;
}

export interface ServiceInput {
  Kind: string;
  ID: string;
  Service: string;
  Tags: string[] | null;
  Address: string;
  TaggedAddresses: Record<string, ServiceAddress> | null;
  Meta: Record<string, string> | null;
  Port: number;
  Weights: { Passing: number; Warning: number } | null;
  EnableTagOverride: boolean;
  Proxy: Record<string, unknown>;
  Connect: Record<string, unknown>;
}

export interface CheckInput {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  Type: string;
  Definition: Record<string, unknown>;
}

/** Consul's `ErrMissingNode` / `ErrMissingService`. */
const MISSING_NODE = 'Missing node registration';
const MISSING_SERVICE = 'Missing service registration';

export function servicesOfNode(state: ConsulState, node: string): ServiceRecord[] {
  return [...state.services.values()].filter((s) => s.Node === node);
}

export function checksOfNode(state: ConsulState, node: string): CheckRecord[] {
  return [...state.checks.values()].filter((c) => c.Node === node);
}

/** Per committed state, its services and checks grouped by node (built on the first read that needs them). */
const byNodeOfCommitted = new WeakMap<ConsulState, { services: Map<string, ServiceRecord[]>; checks: Map<string, CheckRecord[]> }>();

/**
 * What `servicesOfNode` and `checksOfNode` answer, for a committed state (`ConsulStore.state`, which a write never
 * changes: it commits a copy), from one grouping of the whole catalog per state instead of a scan of it per read.
 * A reconcile reads every node of the mesh at one index (a node's services and checks per cluster): with 10,000
 * tasks, 40 scans of 20,000 entries each become one. Not for a write transaction's own state, which changes.
 */
export function committedNodeCatalog(state: ConsulState, node: string): { services: ServiceRecord[]; checks: CheckRecord[] } {
  let grouped = byNodeOfCommitted.get(state);
  if (!grouped) {
    grouped = { services: new Map(), checks: new Map() };
    for (const svc of state.services.values()) push(grouped.services, svc.Node, svc);
    for (const check of state.checks.values()) push(grouped.checks, check.Node, check);
    byNodeOfCommitted.set(state, grouped);
  }
  return { services: grouped.services.get(node) ?? [], checks: grouped.checks.get(node) ?? [] };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function touchAllServicesOfNode(txn: WriteTxn, node: string): void {
  for (const svc of servicesOfNode(txn.state, node)) txn.touchService(svc.Service);
}

/**
 * Create or update a node. An update that changes nothing is a no-op (Consul's `Node.IsSame`): no index moves,
 * so blocking queries do not wake for idempotent re-registrations.
 */
export function ensureNode(txn: WriteTxn, input: NodeInput, datacenter: string): NodeRecord {
  const existing = txn.state.nodes.get(input.Node);
  const record: NodeRecord = {
    ID: input.ID,
    Node: input.Node,
    Address: input.Address,
    Datacenter: datacenter,
    TaggedAddresses: input.TaggedAddresses,
    Meta: input.Meta,
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  };
  if (existing && sameExceptIndexes(existing, record)) return existing;
  txn.state.nodes.set(input.Node, record);
  txn.state.indexes.nodes = txn.index;
  txn.touch('nodes', `node:${input.Node}`);
  // A node change alters every health answer for the services on it: Consul bumps their indexes too.
  touchAllServicesOfNode(txn, input.Node);
  return record;
}

/** Create or update a service instance on an existing node. */
export function ensureService(txn: WriteTxn, node: string, input: ServiceInput): ServiceRecord {
  if (!txn.state.nodes.has(node)) throw new CatalogError(MISSING_NODE);
  const key = serviceKey(node, input.ID);
  const existing = txn.state.services.get(key);
  const record: ServiceRecord = {
    Node: node,
    ...input,
    Weights: input.Weights ?? { Passing: 1, Warning: 1 },
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  };
  if (existing && sameExceptIndexes(existing, record)) return existing;
  txn.state.services.set(key, record);
  txn.state.indexes.services = txn.index;
  txn.touch('services', `node:${node}`);
  txn.touchService(record.Service);
  if (existing && existing.Service !== record.Service) txn.touchService(existing.Service);
  return record;
}

/** Create or update a check; a service check needs its service on the same node. Status defaults to critical. */
export function ensureCheck(txn: WriteTxn, input: CheckInput): CheckRecord {
  if (!txn.state.nodes.has(input.Node)) throw new CatalogError(MISSING_NODE);
  let service: ServiceRecord | undefined;
  if (input.ServiceID !== '') {
    service = txn.state.services.get(serviceKey(input.Node, input.ServiceID));
    if (!service) throw new CatalogError(MISSING_SERVICE);
  }
  const key = checkKey(input.Node, input.CheckID);
  const existing = txn.state.checks.get(key);
  const record: CheckRecord = {
    ...input,
    Status: input.Status === '' ? 'critical' : input.Status,
    ServiceName: service?.Service ?? '',
    ServiceTags: service?.Tags ? [...service.Tags] : [],
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
  };
  if (existing && sameExceptIndexes(existing, record)) return existing;
  txn.state.checks.set(key, record);
  txn.state.indexes.checks = txn.index;
  txn.touch('checks', `node:${input.Node}`);
  if (service) txn.touchService(service.Service);
  else touchAllServicesOfNode(txn, input.Node);
  return record;
}

/** Remove a check; returns false when there was none. */
export function deleteCheck(txn: WriteTxn, node: string, checkId: string): boolean {
  const key = checkKey(node, checkId);
  const existing = txn.state.checks.get(key);
  if (!existing) return false;
  txn.state.checks.delete(key);
  txn.state.indexes.checks = txn.index;
  txn.touch('checks', `node:${node}`);
  if (existing.ServiceID !== '') {
    const svc = txn.state.services.get(serviceKey(node, existing.ServiceID));
    txn.touchService(svc?.Service ?? existing.ServiceName);
  } else {
    touchAllServicesOfNode(txn, node);
  }
  return true;
}

/** Remove a service instance and its checks (Consul's `deleteServiceTxn`); returns false when there was none. */
export function deleteService(txn: WriteTxn, node: string, serviceId: string): boolean {
  const key = serviceKey(node, serviceId);
  const existing = txn.state.services.get(key);
  if (!existing) return false;
  for (const check of checksOfNode(txn.state, node)) {
    if (check.ServiceID === serviceId) deleteCheck(txn, node, check.CheckID);
  }
  txn.state.services.delete(key);
  txn.state.indexes.services = txn.index;
  txn.touch('services', `node:${node}`);
  txn.touchService(existing.Service);
  return true;
}

/** Remove a node with all its services and checks; returns false when there was none. */
export function deleteNode(txn: WriteTxn, node: string): boolean {
  if (!txn.state.nodes.has(node)) return false;
  for (const svc of servicesOfNode(txn.state, node)) deleteService(txn, node, svc.ID);
  for (const check of checksOfNode(txn.state, node)) deleteCheck(txn, node, check.CheckID);
  txn.state.nodes.delete(node);
  txn.state.indexes.nodes = txn.index;
  txn.touch('nodes', `node:${node}`);
  return true;
}

function sameExceptIndexes<T extends { CreateIndex: number; ModifyIndex: number }>(a: T, b: T): boolean {
  const { CreateIndex: _ac, ModifyIndex: _am, ...restA } = a;
  const { CreateIndex: _bc, ModifyIndex: _bm, ...restB } = b;
  return stableStringify(restA) === stableStringify(restB);
}
