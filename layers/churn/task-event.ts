import { clusterNameFromArn } from '../domain/naming';
import {
  buildDeregisterTxnOps,
  buildRegistration,
  buildTombstone,
  buildTxnOps,
  checkStatus,
  decide,
  findMember,
  guardDeregistration,
  guardRegistration,
  parseTaskStateChange,
  taskPhase,
  type Decision,
  type DeregisterReason,
  type EcsTask,
  type IgnoreReason,
  type RegistrationChange,
  type TxnOp,
} from '../domain/registration';
import type { MeshSpec } from '../domain/spec/schema';
import { loadDeployedSpec } from './deployed-spec';
import { TxnConflictError } from '../errors';
import { meshClusterNames } from './mesh-clusters';
import type { ChurnLogger, TaskEventConsul } from './ports';
import { recordServerChange, type ServerChange } from './servers';
import { readStoredTask, type StoredTask } from './stored-task';
import { submitTxn } from './txn-submit';

export interface TaskEventDeps {
  consul: TaskEventConsul;
  meshName: string;
  logger: ChurnLogger;
  /** SPEC_CACHE_SECONDS in ms (see loadDeployedSpec). */
  specMaxAgeMs?: number;
  now?: () => Date;
}

interface TaskRef {
  taskArn: string;
  cluster: string;
  version: number;
}

/** What one event did. `writes` is the number of transactions committed (0 or 1). */
export type TaskEventOutcome = TaskRef &
  (
    | { action: 'registered' | 'updated'; address: string; status: 'passing' | 'critical'; changes: RegistrationChange[]; writes: 1 }
    | { action: 'deregistered'; reason: DeregisterReason; detail?: string; wasRegistered: boolean; tombstone: boolean; writes: 1 }
    | { action: 'servers-changed'; server: ServerChange; writes: 0 }
    | { action: 'ignored'; reason: IgnoreReason | 'no-spec'; writes: 0 }
  );

/**
 * Guard failures mean someone wrote the task's entries after our read: re-read and decide again. Three rounds
 * cover two writers racing us; beyond that the event is retried by Lambda (`ConsulTxnConflict`).
 */
const MAX_ROUNDS = 3;

/**
 * Applies one `ECS Task State Change` to the catalog (DESIGN.md section 6):
 * parse → the deployed spec (cached) → tasks of other clusters, and tasks of mesh clusters that are not mesh
 * members and not stopping, end here without any Consul call → read the task's instance and tombstone → `decide`
 * → at most one guarded transaction.
 *
 * A non-member that is stopping is still looked up: its service may have left the spec while it was registered
 * (`left-mesh`). A running non-member that is still registered is left to the reconcile, so that the common case
 * (other workloads sharing a mesh cluster) stays free of Consul reads.
 *
 * @throws InvalidEvent for an event that is not a task state change; ConsulUnavailable / ConsulAclDenied /
 *   ConsulTxnRejected / ConsulTxnConflict / SpecInvalid propagate so the async invocation is retried.
 */
export async function handleTaskEvent(event: unknown, deps: TaskEventDeps): Promise<TaskEventOutcome> {
  const { detail: task } = parseTaskStateChange(event);
  const ref: TaskRef = { taskArn: task.taskArn, cluster: clusterNameFromArn(task.clusterArn), version: task.version };

  let spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: deps.specMaxAgeMs });
  if (spec && (!meshClusterNames(spec).has(ref.cluster) || !findMember(spec, task)) && deps.specMaxAgeMs !== 0) {
    // The rule only sends tasks of the mesh's task-definition families, so a task the cached spec does not know is
    // most likely one a deployment has just added (a cluster or a service): ask Consul again before ignoring it, or
    // its registration would wait for the reconcile. (One KV read, and only for such tasks.)
    spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: 0 });
  }
  if (!spec) {
    deps.logger.debug('no deployed spec yet: task ignored', { ...ref, mesh: deps.meshName });
    return { ...ref, action: 'ignored', reason: 'no-spec', writes: 0 };
  }
  if (!meshClusterNames(spec).has(ref.cluster)) return { ...ref, action: 'ignored', reason: 'not-in-mesh', writes: 0 };
  const member = findMember(spec, task);
  if (member?.role === 'server') {
    // decide() needs no stored state for a server: it is never registered.
    const decision = decide(undefined, task, spec);
    if (decision.action !== 'servers-changed') return ignored(ref, decision);
    return { ...ref, action: 'servers-changed', server: await recordServerChange(deps.consul, task, decision.phase, deps.logger), writes: 0 };
  }
  if (!member && taskPhase(task) !== 'stopping') return { ...ref, action: 'ignored', reason: 'not-in-mesh', writes: 0 };
  // A task still starting (PROVISIONING … ACTIVATING, its dataplane not running) is never written, whatever the
  // catalog holds: ECS container states only move forward, so a registered task cannot be "starting" again. Three of
  // the ten events of a task's life end here without a Consul read.
  if (taskPhase(task) === 'starting') return { ...ref, action: 'ignored', reason: 'not-running-yet', writes: 0 };

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const read = await readStoredTask(deps.consul, spec, task, ref.cluster, member);
    const decision = decide(read.stored, task, spec);
    const outcome = await apply(decision, { spec, task, ref, read, now: deps.now?.() ?? new Date(), consul: deps.consul });
    if (outcome) {
      log(deps.logger, outcome);
      return outcome;
    }
    deps.logger.info('task entries changed concurrently; deciding again', { ...ref, round });
  }
  throw new TxnConflictError(`task ${task.taskArn}: its catalog entries kept changing during ${MAX_ROUNDS} attempts`);
}

interface ApplyContext {
  spec: MeshSpec;
  task: EcsTask;
  ref: TaskRef;
  read: StoredTask;
  now: Date;
  consul: TaskEventConsul;
}

/** Writes what the decision says; `undefined` when a guard failed (re-read and decide again). */
async function apply(decision: Decision, ctx: ApplyContext): Promise<TaskEventOutcome | undefined> {
  const { spec, task, ref, read } = ctx;
  switch (decision.action) {
    case 'register':
    case 'update': {
      const registration = buildRegistration(spec, task, { address: decision.address });
      const ops = guardRegistration(buildTxnOps(registration), { instanceId: read.instanceId, modifyIndex: read.modifyIndex, tombstoneKey: read.tombstoneKey });
      if (!(await commit(ctx.consul, ops))) return undefined;
      // The stored check status is not read (stored-task.ts), so only address and version changes are reported.
      const changes = decision.action === 'update' ? decision.changes.filter((c) => c.field !== 'status') : [];
      return { ...ref, action: decision.action === 'register' ? 'registered' : 'updated', address: decision.address, status: checkStatus(task), changes, writes: 1 };
    }
    case 'deregister': {
      // A task whose service left the spec may still be running: no tombstone, whose premise is "never runs again".
      const tombstone = decision.reason === 'left-mesh' ? undefined : buildTombstone(spec, task, [decision.reason, decision.detail].filter(Boolean).join(': '), ctx.now);
      const ops = guardDeregistration(buildDeregisterTxnOps(decision.ids.node, decision.ids, tombstone));
      if (!(await commit(ctx.consul, ops))) return undefined;
      return { ...ref, action: 'deregistered', reason: decision.reason, detail: decision.detail, wasRegistered: decision.wasRegistered, tombstone: tombstone !== undefined, writes: 1 };
    }
    case 'servers-changed':
    case 'ignore':
      return ignored(ref, decision);
  }
}

async function commit(consul: TaskEventConsul, ops: TxnOp[]): Promise<boolean> {
  return (await submitTxn(consul, ops)).committed;
}

function ignored(ref: TaskRef, decision: Decision): TaskEventOutcome {
  // A server's `servers-changed` cannot reach here for a registrable member; keep the type total.
  const reason: IgnoreReason = decision.action === 'ignore' ? decision.reason : 'not-in-mesh';
  return { ...ref, action: 'ignored', reason, writes: 0 };
}

function log(logger: ChurnLogger, outcome: TaskEventOutcome): void {
  if (outcome.action === 'ignored') logger.debug('task event ignored', { ...outcome });
  else logger.info(`task ${outcome.action}`, { ...outcome });
}

