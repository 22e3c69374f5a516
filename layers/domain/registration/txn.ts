import type { CatalogCheck, CatalogService, TaskRegistration } from './registration';
import type { Tombstone } from './stored';

/**
 * Operations of Consul's `PUT /v1/txn` (Transactions HTTP API): a JSON array of objects with exactly one key —
 * `KV`, `Node`, `Service` or `Check` — applied atomically (all or none) as one Raft write. Consul takes at most
 * 128 operations per transaction.
 */
export type TxnOp =
  | { Node: { Verb: 'set'; Node: { Node: string; Address: string; Datacenter?: string; Meta: Record<string, string> } } }
  | { Service: { Verb: 'set'; Node: string; Service: CatalogService } }
  | { Service: { Verb: 'delete'; Node: string; Service: { ID: string; Service: string } } }
  | { Check: { Verb: 'set'; Check: CatalogCheck } }
  | { Check: { Verb: 'delete'; Check: { Node: string; CheckID: string } } }
  | { KV: { Verb: 'set'; Key: string; Value: string } };

export const MAX_TXN_OPS = 128;

/**
 * The transaction registering (or updating) one task: the synthetic node, then the services, then their checks
 * (a check can only reference a service that exists, and operations apply in order). Service and proxy land in
 * one transaction, so a task transition costs one Raft write and no reader sees an instance without its proxy.
 * The node is written with `Meta` (the txn API takes Consul's Node struct, where the catalog API says NodeMeta).
 */
export function buildTxnOps(registration: TaskRegistration): TxnOp[] {
  const { node } = registration;
  return [
    { Node: { Verb: 'set', Node: { Node: node.Node, Address: node.Address, Datacenter: node.Datacenter, Meta: node.NodeMeta } } },
    ...registration.services.map((service): TxnOp => ({ Service: { Verb: 'set', Node: node.Node, Service: service } })),
    ...registration.checks.map((check): TxnOp => ({ Check: { Verb: 'set', Check: check } })),
  ];
}

/**
 * The transaction removing a task's instances and checks from `node`, and writing its tombstone in the same
 * Raft write, so no late event can find the task gone without the tombstone that keeps it gone. Deletes of
 * entries that do not exist succeed in Consul, so the same operations serve a task that never got registered
 * (STOPPED arriving before RUNNING): only the tombstone is new then. The node itself stays: it is shared by the
 * cluster's tasks.
 */
export function buildDeregisterTxnOps(node: string, ids: { services: Array<{ ID: string; Service: string }>; checkIds: string[] }, tombstone?: Tombstone): TxnOp[] {
  const ops: TxnOp[] = [
    // A check delete names no service, so Consul authorizes it as node:write on the node (vetCheckTxnOp).
    ...ids.checkIds.map((CheckID): TxnOp => ({ Check: { Verb: 'delete', Check: { Node: node, CheckID } } })),
    // Consul authorizes a service operation of a transaction as service:write on the name the operation carries
    // (vetServiceTxnOp), not on the stored entry's: a delete by ID alone is denied to any token without
    // `service_prefix "" { policy = "write" }`.
    ...ids.services.map(({ ID, Service }): TxnOp => ({ Service: { Verb: 'delete', Node: node, Service: { ID, Service } } })),
  ];
  if (tombstone) {
    // KV values travel base64-encoded in a transaction.
    ops.push({ KV: { Verb: 'set', Key: tombstone.key, Value: Buffer.from(JSON.stringify(tombstone.value), 'utf8').toString('base64') } });
  }
  return ops;
}
