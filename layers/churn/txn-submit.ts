import { ConsulAclDeniedError } from '../errors';
import { TxnRejectedError, type TxnOpFailure } from '../errors';
import type { TxnOp } from '../domain/registration';
import type { TaskEventConsul } from './ports';

/** A committed transaction, or the indexes of the operations whose guard failed (nothing was written). */
export type TxnOutcome = { committed: true } | { committed: false; conflicts: number[] };

/**
 * Consul's words for a guard that did not hold (state store, `txn.go`): a `cas` on a changed or missing entry
 * ("index is stale"), `check-not-exists` on an existing key ("key ... exists").
 */
const GUARD_FAILED = /index is stale|\bexists\b/;
const ACL_DENIED = /permission denied|acl not found/i;

/**
 * Sends one transaction. A guard failure is an expected outcome (the caller re-reads); an ACL refusal of an
 * operation becomes `ConsulAclDenied` like a refused request; any other failure is `ConsulTxnRejected`.
 * Unreachable Consul and 5xx answers come from the client as `ConsulUnavailable`.
 */
export async function submitTxn(consul: Pick<TaskEventConsul, 'txn'>, ops: TxnOp[]): Promise<TxnOutcome> {
  const result = await consul.txn(ops);
  if (result.ok) return { committed: true };
  const failures: TxnOpFailure[] = result.errors;
  const denied = failures.find((f) => ACL_DENIED.test(f.What));
  if (denied) throw new ConsulAclDeniedError(`Consul refused the ACL token for a transaction: ${denied.What}`);
  if (failures.length === 0 || failures.some((f) => !GUARD_FAILED.test(f.What))) throw new TxnRejectedError(failures);
  return { committed: false, conflicts: failures.map((f) => f.OpIndex) };
}
