/**
 * Errors of the task-churn code. Like those of layers/errors.ts they set `name` (what a log query or an alarm
 * matches) and keep their cause; both are thrown to the Lambda runtime, so the async invocation is retried and,
 * once the retries are used up, lands in the on-failure destination.
 */

/** One failed operation of a `/v1/txn`, as Consul reports it (HTTP 409). */
export interface TxnOpFailure {
  OpIndex: number;
  What: string;
}

/**
 * Another writer changed the task's entries between our read and our write (a `cas` or `check-not-exists`
 * guard failed) more times than the handler re-reads. Retrying later is correct: the next attempt sees the new state.
 */
export class TxnConflictError extends Error {
  override readonly name = 'ConsulTxnConflict';
}

/** Consul rolled a transaction back for a reason other than a guard or the ACL: a defect in what we sent. */
export class TxnRejectedError extends Error {
  override readonly name = 'ConsulTxnRejected';
  constructor(readonly failures: TxnOpFailure[]) {
    super(`Consul rejected the transaction: ${failures.map((f) => `op ${f.OpIndex}: ${f.What}`).join('; ')}`);
  }
}
