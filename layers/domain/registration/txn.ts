import type { CatalogCheck, ServiceRegistration, TaskRegistration } from './registration';
import type { Tombstone } from './stored';

/**
 * The operations of Consul's `PUT /v1/txn` (Transactions HTTP API) the orchestrator sends: a JSON array of objects
 * with exactly one key — `KV`, `Node`, `Service` or `Check` — applied atomically (all or none) as one Raft write.
 * Consul takes at most 128 operations per transaction. The Consul adapter's `txn` takes exactly these.
 *
 * The `cas`, `check-not-exists` and `delete-cas` verbs are the write guards (see guardRegistration below).
 */
export type TxnOp =
  | { Node: { Verb: 'set'; Node: { Node: string; Address: string; Datacenter?: string; Meta: Record<string, string> } } }
  | { Service: { Verb: 'set'; Node: string; Service: ServiceRegistration } }
  | { Service: { Verb: 'cas'; Node: string; Service: ServiceRegistration & { ModifyIndex: number } } }
  | { Service: { Verb: 'delete'; Node: string; Service: { ID: string; Service: string } } }
  | { Check: { Verb: 'set'; Check: CatalogCheck } }
  | { Check: { Verb: 'delete'; Check: { Node: string; CheckID: string } } }
  | { KV: { Verb: 'set'; Key: string; Value: string } }
  | { KV: { Verb: 'cas'; Key: string; Value: string; Index: number } }
  | { KV: { Verb: 'check-not-exists'; Key: string } }
  | { KV: { Verb: 'delete-cas'; Key: string; Index: number } };

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

/*
 * Optimistic concurrency for catalog writes. EventBridge may deliver two events of one task to two Lambda
 * containers at once, and the reconcile runs next to both: a plain read-then-write would let an older state
 * overwrite a newer one (the version test in `decide` only holds if nobody wrote in between). So every write
 * carries the guards Consul's transaction API offers and fails as a whole (HTTP 409) when one does not hold:
 * - the task's instance is written with `Verb: "cas"` and the ModifyIndex read (0: "must not exist yet");
 * - a registration checks that no tombstone exists (`KV check-not-exists`), so it cannot resurrect a task whose
 *   deregistration committed after our read;
 * - a tombstone is written with `KV cas` index 0 ("create only"), so of two concurrent deregistrations one wins
 *   and the other re-reads and finds the task already deregistered.
 */

export interface RegistrationGuard {
  /** The instance's service ID: the entry whose ModifyIndex is compared. */
  instanceId: string;
  /** The instance's ModifyIndex as read; 0 when it was not registered. */
  modifyIndex: number;
  /** The task's tombstone key, which must not exist. */
  tombstoneKey: string;
}

/** Registration (or update) operations with the instance compared by ModifyIndex and the tombstone checked absent. */
export function guardRegistration(ops: TxnOp[], guard: RegistrationGuard): TxnOp[] {
  const guarded = ops.map((op): TxnOp => {
    if ('Service' in op && op.Service.Verb === 'set' && op.Service.Service.ID === guard.instanceId) {
      return { Service: { Verb: 'cas', Node: op.Service.Node, Service: { ...op.Service.Service, ModifyIndex: guard.modifyIndex } } };
    }
    return op;
  });
  return [{ KV: { Verb: 'check-not-exists', Key: guard.tombstoneKey } }, ...guarded];
}

/** Deregistration operations whose tombstone is created only if none exists yet. */
export function guardDeregistration(ops: TxnOp[]): TxnOp[] {
  return ops.map((op): TxnOp => ('KV' in op && op.KV.Verb === 'set' ? { KV: { Verb: 'cas', Key: op.KV.Key, Value: op.KV.Value, Index: 0 } } : op));
}

/** Deletes a KV entry only if it is unchanged since it was read (expired tombstones). */
export function deleteKeyIfUnchanged(key: string, modifyIndex: number): TxnOp {
  return { KV: { Verb: 'delete-cas', Key: key, Index: modifyIndex } };
}
