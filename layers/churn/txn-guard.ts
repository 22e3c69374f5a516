import type { CatalogService, TxnOp } from '../domain/registration';

/**
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
export type GuardedTxnOp =
  | TxnOp
  | { Service: { Verb: 'cas'; Node: string; Service: CatalogService & { ModifyIndex: number } } }
  | { KV: { Verb: 'check-not-exists'; Key: string } }
  | { KV: { Verb: 'cas'; Key: string; Value: string; Index: number } }
  | { KV: { Verb: 'delete-cas'; Key: string; Index: number } };

export interface RegistrationGuard {
  /** The instance's service ID: the entry whose ModifyIndex is compared. */
  instanceId: string;
  /** The instance's ModifyIndex as read; 0 when it was not registered. */
  modifyIndex: number;
  /** The task's tombstone key, which must not exist. */
  tombstoneKey: string;
}

/** Registration (or update) operations with the instance compared by ModifyIndex and the tombstone checked absent. */
export function guardRegistration(ops: TxnOp[], guard: RegistrationGuard): GuardedTxnOp[] {
  const guarded = ops.map((op): GuardedTxnOp => {
    if ('Service' in op && op.Service.Verb === 'set' && op.Service.Service.ID === guard.instanceId) {
      return { Service: { Verb: 'cas', Node: op.Service.Node, Service: { ...op.Service.Service, ModifyIndex: guard.modifyIndex } } };
    }
    return op;
  });
  return [{ KV: { Verb: 'check-not-exists', Key: guard.tombstoneKey } }, ...guarded];
}

/** Deregistration operations whose tombstone is created only if none exists yet. */
export function guardDeregistration(ops: TxnOp[]): GuardedTxnOp[] {
  return ops.map((op): GuardedTxnOp => ('KV' in op && op.KV.Verb === 'set' ? { KV: { Verb: 'cas', Key: op.KV.Key, Value: op.KV.Value, Index: 0 } } : op));
}

/** Deletes a KV entry only if it is unchanged since it was read (expired tombstones). */
export function deleteKeyIfUnchanged(key: string, modifyIndex: number): GuardedTxnOp {
  return { KV: { Verb: 'delete-cas', Key: key, Index: modifyIndex } };
}
