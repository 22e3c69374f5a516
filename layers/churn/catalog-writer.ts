import type { ConsulApi } from '../adapters/consul';
import { clusterNameFromArn, taskIdFromArn } from '../domain/naming';
import {
  buildDeregisterTxnOps,
  buildRegistration,
  buildTombstone,
  buildTxnOps,
  decide,
  guardDeregistration,
  guardRegistration,
  parseTombstone,
  registrationIdsOf,
  resolveStored,
  storedFromCatalog,
  tombstoneKey,
  type Decision,
  type EcsTask,
  type RegistrableMember,
  type StoredRegistration,
  type TxnOp,
} from '../domain/registration';
import type { MeshSpec } from '../domain/spec/schema';
import { ConsulAclDeniedError, TxnConflictError, TxnRejectedError, type TxnOpFailure } from '../errors';
import type { ChurnLogger } from './ports';

/** The catalog writer reads the task's node entries and tombstone, and writes one transaction. */
export type CatalogWriterConsul = Pick<ConsulApi, 'kvGet' | 'nodeServices' | 'txn'>;

/**
 * What the writer did for one task: the decision it committed in one transaction (register, update, deregister),
 * or the `ignore` that needed no write.
 */
export interface TaskWrite {
  decision: Decision;
  /** Whether the deregistration wrote the task's tombstone. */
  tombstone: boolean;
}

/**
 * Guard failures mean someone wrote the task's entries after our read: re-read and decide again. Three rounds
 * cover two writers racing us; beyond that the event is retried by Lambda (`ConsulTxnConflict`).
 */
const MAX_ROUNDS = 3;

/**
 * Brings one task's catalog entries to what its state says (DESIGN.md section 6): read the task's entries and
 * tombstone → `decide` → at most one guarded transaction (domain/registration/txn.ts) → when a guard did not hold
 * (another writer got there first), read and decide again.
 *
 * `member` is what decideBeforeRead found (undefined for a stopping task whose service is not in the spec).
 *
 * @throws TxnConflictError when the entries kept changing for MAX_ROUNDS rounds; ConsulUnavailable /
 *   ConsulAclDenied / ConsulTxnRejected as the Consul client and submitTxn report them.
 */
export async function writeTaskEntries(
  consul: CatalogWriterConsul,
  spec: MeshSpec,
  task: EcsTask,
  member: RegistrableMember | undefined,
  opts: { now: Date; logger: ChurnLogger },
): Promise<TaskWrite> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const read = await readTaskEntries(consul, spec, task, member);
    const decision = decide(read.stored, task, spec);
    const write = buildWrite(decision, spec, task, read, opts.now);
    if (!write) return { decision, tombstone: false };
    if ((await submitTxn(consul, write.ops)).committed) return { decision, tombstone: write.tombstone };
    opts.logger.info('task entries changed concurrently; deciding again', { taskArn: task.taskArn, cluster: clusterNameFromArn(task.clusterArn), version: task.version, round });
  }
  throw new TxnConflictError(`task ${task.taskArn}: its catalog entries kept changing during ${MAX_ROUNDS} attempts`);
}

/** What the catalog holds for one task, with what the write guards need. */
export interface TaskEntries {
  stored: StoredRegistration | undefined;
  /** The instance's service ID (looked up by ID, as buildRegistration names it). */
  instanceId: string;
  /** The instance's ModifyIndex, 0 when not registered (see guardRegistration). */
  modifyIndex: number;
  tombstoneKey: string;
}

/**
 * Reads the task's instance from its cluster's synthetic node and its tombstone, in parallel: two reads, no write.
 * The node read carries a `?filter` on the task's own service IDs, so the Consul servers answer the task's one or
 * two entries instead of every service of the cluster (hundreds of KB per event on a large cluster); the
 * reconcile, which needs whole nodes, reads them unfiltered.
 * The check status is not read: an event always writes the status its task implies, so `decide` needs only
 * the version and address (the reconcile compares checks).
 */
export async function readTaskEntries(consul: CatalogWriterConsul, spec: MeshSpec, task: EcsTask, member: RegistrableMember | undefined): Promise<TaskEntries> {
  const ids = registrationIdsOf(task, member);
  const id = ids.serviceIds[0];
  const key = tombstoneKey(spec, ids.node, taskIdFromArn(task.taskArn));
  const [node, tombstone] = await Promise.all([consul.nodeServices(ids.node, { filter: buildIdFilter(ids.serviceIds) }), consul.kvGet(key)]);
  const instance = (node?.Services ?? []).find((s) => s.ID === id);
  const registered = instance ? storedFromCatalog(instance, undefined) : undefined;
  return {
    stored: resolveStored(registered, parseTombstone(tombstone?.value)),
    instanceId: id,
    modifyIndex: instance?.ModifyIndex ?? 0,
    tombstoneKey: key,
  };
}

/** The guarded operations a decision writes, or undefined when it writes nothing. */
function buildWrite(decision: Decision, spec: MeshSpec, task: EcsTask, read: TaskEntries, now: Date): { ops: TxnOp[]; tombstone: boolean } | undefined {
  switch (decision.action) {
    case 'register':
    case 'update': {
      const registration = buildRegistration(spec, task, { address: decision.address });
      return { ops: guardRegistration(buildTxnOps(registration), read), tombstone: false };
    }
    case 'deregister': {
      // A task whose service left the spec may still be running: no tombstone, whose premise is "never runs again".
      const tombstone = decision.reason === 'left-mesh' ? undefined : buildTombstone(spec, task, [decision.reason, decision.detail].filter(Boolean).join(': '), now);
      return { ops: guardDeregistration(buildDeregisterTxnOps(decision.ids.node, decision.ids, tombstone)), tombstone: tombstone !== undefined };
    }
    case 'servers-changed':
    case 'ignore':
      return undefined;
  }
}

/**
 * `ID == "a" or ID == "b"`: a Consul filter expression (go-bexpr) selecting services by ID. A double-quoted
 * literal cannot hold a `"` in that grammar, so such an ID is written as a backtick raw string.
 * @example buildIdFilter(['users-1', 'users-1-sidecar-proxy']) // 'ID == "users-1" or ID == "users-1-sidecar-proxy"'
 */
export function buildIdFilter(ids: readonly string[]): string {
  return ids.map((id) => `ID == ${id.includes('"') ? `\`${id}\`` : `"${id}"`}`).join(' or ');
}

/** A committed transaction, or the indexes of the operations whose guard failed (nothing was written). */
export type TxnOutcome = { committed: true } | { committed: false; conflicts: number[] };

/**
 * Consul's words for a guard that did not hold (state store, `txn.go`): a `cas` on a changed or missing entry
 * ("index is stale"), `check-not-exists` on an existing key ("key ... exists").
 */
const GUARD_FAILED = /index is stale|\bexists\b/;
const ACL_DENIED = /permission denied|acl not found/i;

/**
 * Sends one transaction (the task writer's, and the reconcile's batches). A guard failure is an expected outcome
 * (the caller re-reads); an ACL refusal of an operation becomes `ConsulAclDenied` like a refused request; any other
 * failure is `ConsulTxnRejected`. Unreachable Consul and 5xx answers come from the client as `ConsulUnavailable`.
 */
export async function submitTxn(consul: Pick<ConsulApi, 'txn'>, ops: TxnOp[]): Promise<TxnOutcome> {
  const result = await consul.txn(ops);
  if (result.ok) return { committed: true };
  const failures: TxnOpFailure[] = result.errors;
  const denied = failures.find((f) => ACL_DENIED.test(f.What));
  if (denied) throw new ConsulAclDeniedError(`Consul refused the ACL token for a transaction: ${denied.What}`);
  if (failures.length === 0 || failures.some((f) => !GUARD_FAILED.test(f.What))) throw new TxnRejectedError(failures);
  return { committed: false, conflicts: failures.map((f) => f.OpIndex) };
}
