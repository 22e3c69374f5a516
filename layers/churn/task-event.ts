import { clusterNameFromArn } from '../domain/naming';
import {
  checkStatus,
  decideBeforeRead,
  findMember,
  parseTaskStateChange,
  type Decision,
  type EcsTask,
  type DeregisterReason,
  type IgnoreReason,
  type RegistrationChange,
} from '../domain/registration';
import { buildTaskActivity, logActivity, type ActivityLog } from './activity';
import { writeTaskEntries, type TaskWrite } from './catalog-writer';
import { loadDeployedSpec } from './deployed-spec';
import type { ChurnLogger, TaskEventConsul } from './ports';
import { recordServerChange, type ServerChange } from './servers';

export interface TaskEventDeps {
  consul: TaskEventConsul;
  meshName: string;
  logger: ChurnLogger;
  /**
   * Where the one activity line per decision goes (activity.ts): a logger whose level LOG_LEVEL does not lower, since
   * `GET /activity` reads these lines back. Default: `logger`.
   */
  activity?: ActivityLog;
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
 * Applies one `ECS Task State Change` to the catalog (DESIGN.md section 6), top to bottom:
 * 1. parse the event (domain/registration/event-schema.ts);
 * 2. the deployed spec, cached per container (deployed-spec.ts);
 * 3. `decideBeforeRead` (domain/registration/decide.ts): tasks of other clusters, tasks of mesh clusters that are
 *    not mesh members and not stopping, and members still starting end here without any Consul call; a Consul
 *    server task is recorded against the Raft peers (servers.ts);
 * 4. the catalog writer (catalog-writer.ts): read the task's entries and tombstone, `decide`, one guarded
 *    transaction, decided again when another writer got there first.
 *
 * @throws InvalidEvent for an event that is not a task state change; ConsulUnavailable / ConsulAclDenied /
 *   ConsulTxnRejected / ConsulTxnConflict / SpecInvalid propagate so the async invocation is retried.
 */
export async function handleTaskEvent(event: unknown, deps: TaskEventDeps): Promise<TaskEventOutcome> {
  const { detail: task } = parseTaskStateChange(event);
  const outcome = await decideAndWrite(task, deps);
  // Once per decision, whatever it was: the Activity view shows what was ignored (stale, duplicate) as well.
  logActivity(deps.activity ?? deps.logger, buildTaskActivity(task, outcome));
  return outcome;
}

async function decideAndWrite(task: EcsTask, deps: TaskEventDeps): Promise<TaskEventOutcome> {
  const ref: TaskRef = { taskArn: task.taskArn, cluster: clusterNameFromArn(task.clusterArn), version: task.version };

  let spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: deps.specMaxAgeMs });
  if (spec && !findMember(spec, task) && deps.specMaxAgeMs !== 0) {
    // The rule only sends tasks of the mesh's task-definition families, so a task the cached spec does not know is
    // most likely one a deployment has just added (a cluster or a service): ask Consul again before ignoring it, or
    // its registration would wait for the reconcile. (One KV read, and only for such tasks.)
    spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: 0 });
  }
  if (!spec) {
    deps.logger.debug('no deployed spec yet: task ignored', { ...ref, mesh: deps.meshName });
    return { ...ref, action: 'ignored', reason: 'no-spec', writes: 0 };
  }

  const early = decideBeforeRead(task, spec);
  if (early.action === 'servers-changed') {
    return { ...ref, action: 'servers-changed', server: await recordServerChange(deps.consul, task, early.phase, deps.logger), writes: 0 };
  }
  if (early.action === 'ignore') return ignored(ref, early);

  const write = await writeTaskEntries(deps.consul, spec, task, early.member, { now: deps.now?.() ?? new Date(), logger: deps.logger });
  return outcomeOf(ref, write, checkStatus(task));
}

/** The outcome of what the catalog writer committed. */
function outcomeOf(ref: TaskRef, { decision, tombstone }: TaskWrite, status: 'passing' | 'critical'): TaskEventOutcome {
  switch (decision.action) {
    case 'register':
    case 'update': {
      // The stored check status is not read (catalog-writer.ts), so only address and version changes are reported.
      const changes = decision.action === 'update' ? decision.changes.filter((c) => c.field !== 'status') : [];
      return { ...ref, action: decision.action === 'register' ? 'registered' : 'updated', address: decision.address, status, changes, writes: 1 };
    }
    case 'deregister':
      return { ...ref, action: 'deregistered', reason: decision.reason, detail: decision.detail, wasRegistered: decision.wasRegistered, tombstone, writes: 1 };
    case 'servers-changed':
    case 'ignore':
      return ignored(ref, decision);
  }
}

function ignored(ref: TaskRef, decision: Decision): TaskEventOutcome {
  // A server's `servers-changed` cannot reach here (decideBeforeRead settles servers); keep the type total.
  const reason: IgnoreReason = decision.action === 'ignore' ? decision.reason : 'not-in-mesh';
  return { ...ref, action: 'ignored', reason, writes: 0 };
}
