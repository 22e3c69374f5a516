import { MAX_TXN_OPS } from '../domain/registration';
import type { Repair } from './repair-plan';
import type { TaskEventConsul } from './ports';
import { submitTxn } from './catalog-writer';

/**
 * Packs repairs into transactions of at most MAX_TXN_OPS (128, Consul's limit) operations, in order, never
 * splitting one repair: each task's entries still change atomically, and a drifted cluster costs one Raft write
 * per ~20 tasks instead of one per task.
 */
export function packRepairs(repairs: readonly Repair[], maxOps = MAX_TXN_OPS): Repair[][] {
  const batches: Repair[][] = [];
  let current: Repair[] = [];
  let size = 0;
  for (const repair of repairs) {
    if (current.length > 0 && size + repair.ops.length > maxOps) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(repair);
    size += repair.ops.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface WriteResult {
  committed: Repair[];
  /** Repairs whose guard failed: an event changed the task meanwhile; the next reconcile looks again. */
  conflicts: Repair[];
  /** Transactions sent (a rolled-back transaction still went through Raft). */
  writes: number;
}

/**
 * Writes the repairs batch by batch. When a guard fails Consul rolls the whole batch back and names the failing
 * operations: their repairs are set aside and the rest is sent again, so one racing event costs one extra write,
 * not the batch. ACL refusals and rejected operations throw (txn-submit.ts).
 */
export async function writeRepairs(consul: Pick<TaskEventConsul, 'txn'>, repairs: readonly Repair[]): Promise<WriteResult> {
  const result: WriteResult = { committed: [], conflicts: [], writes: 0 };
  for (let batch of packRepairs(repairs)) {
    while (batch.length > 0) {
      const outcome = await submitTxn(consul, batch.flatMap((r) => r.ops));
      result.writes++;
      if (outcome.committed) {
        result.committed.push(...batch);
        break;
      }
      const failed = new Set(outcome.conflicts.map((opIndex) => repairAt(batch, opIndex)));
      result.conflicts.push(...failed);
      batch = batch.filter((r) => !failed.has(r));
    }
  }
  return result;
}

/** The repair that owns the batch's `opIndex`-th operation. */
function repairAt(batch: readonly Repair[], opIndex: number): Repair {
  let end = 0;
  for (const repair of batch) {
    end += repair.ops.length;
    if (opIndex < end) return repair;
  }
  // An index past the end would make the retry loop spin: fail loudly instead.
  throw new RangeError(`Consul named operation ${opIndex} of a transaction of ${end}`);
}
