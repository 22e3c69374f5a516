import { taskIdFromArn } from '../domain/naming';
import type { EcsTask } from '../domain/registration';
import type { ReconcileSummary } from './reconcile';
import type { TaskEventOutcome } from './task-event';

/**
 * The orchestrator's activity records: one structured log line per task-event decision and one per reconcile run.
 * On AWS, Lambda sends each function's stdout to CloudWatch Logs (`/aws/lambda/<function name>`), so these lines are
 * the activity's only store: `GET /activity` reads them back with FilterLogEvents and the JSON filter pattern
 * `{ $.activity = * }` (layers/api/activity.ts). Their shape is a contract with that route: keep the field names.
 */

/** The key every activity line carries; its value says the kind of record. */
export const ACTIVITY_KEY = 'activity';

/** What the task-event function did with one ECS Task State Change. */
export type TaskActivityOutcome =
  | 'registered'
  | 'updated'
  | 'deregistered'
  | 'servers-changed'
  | 'ignored-stale'
  | 'ignored-duplicate'
  | 'ignored-not-in-mesh'
  | 'ignored-not-running-yet'
  | 'ignored-no-address'
  | 'ignored-already-deregistered'
  | 'ignored-no-spec';

export interface TaskActivity {
  activity: 'task';
  cluster: string;
  /**
   * The ECS service (`group` = `service:<name>`); absent for a task no service started. Not `service`: Powertools'
   * Logger writes its own `service` key (the function's service name) over an attribute of that name.
   */
  ecsService?: string;
  taskId: string;
  lastStatus: string;
  desiredStatus: string;
  /** The event's `detail.version` (events arrive out of order: the higher is newer). */
  version: number;
  outcome: TaskActivityOutcome;
  /** Why: the deregistration's or the ignore's reason, and what changed on an update. */
  reason?: string;
  address?: string;
}

export interface ReconcileActivity {
  activity: 'reconcile';
  mesh: string;
  clusters: number;
  /** Tasks whose entries were compared and already right, plus those repaired. */
  tasksSeen: number;
  repairs: { registered: number; deregistered: number; updatedAddress: number; updatedCheck: number; updatedRegistration: number; tombstonesExpired: number };
  conflicts: number;
  failedClusters: string[];
  durationMs: number;
  skipped?: 'no-spec';
}

/** Where activity lines go: Powertools' Logger (`info(message, attributes)`) satisfies it. */
export interface ActivityLog {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** The ECS service of a task, from its `group` (`service:<name>`; a standalone task's group is `family:<name>`). */
function serviceOf(task: Pick<EcsTask, 'group'>): string | undefined {
  return task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
}

/**
 * The activity record of one task-event decision.
 * @example buildTaskActivity(task, { action: 'ignored', reason: 'stale', ... }).outcome // 'ignored-stale'
 */
export function buildTaskActivity(task: Pick<EcsTask, 'taskArn' | 'group' | 'lastStatus' | 'desiredStatus' | 'version'>, outcome: TaskEventOutcome): TaskActivity {
  const base = {
    activity: 'task' as const,
    cluster: outcome.cluster,
    ...(serviceOf(task) ? { ecsService: serviceOf(task) } : {}),
    taskId: taskIdFromArn(task.taskArn),
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    version: task.version,
  };
  switch (outcome.action) {
    case 'registered':
      return { ...base, outcome: 'registered', address: outcome.address };
    case 'updated':
      return { ...base, outcome: 'updated', address: outcome.address, ...(outcome.changes.length > 0 ? { reason: outcome.changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', ') } : {}) };
    case 'deregistered':
      return { ...base, outcome: 'deregistered', reason: [outcome.reason, outcome.detail].filter(Boolean).join(': ') };
    case 'servers-changed':
      return { ...base, outcome: 'servers-changed', reason: outcome.server.phase ?? 'servers' };
    case 'ignored':
      return { ...base, outcome: `ignored-${outcome.reason}`, reason: outcome.reason };
  }
}

/** The activity record of one reconcile run (the summary's counters, named as the route answers them). */
export function buildReconcileActivity(summary: ReconcileSummary): ReconcileActivity {
  const repairs = {
    registered: summary.registered,
    deregistered: summary.deregistered,
    updatedAddress: summary.updatedAddress,
    updatedCheck: summary.updatedCheck,
    updatedRegistration: summary.updatedRegistration,
    tombstonesExpired: summary.tombstonesExpired,
  };
  const repaired = Object.values(repairs).reduce((a, b) => a + b, 0);
  return {
    activity: 'reconcile',
    mesh: summary.mesh,
    clusters: summary.clusters,
    tasksSeen: summary.unchanged + repaired - summary.tombstonesExpired,
    repairs,
    conflicts: summary.conflicts,
    failedClusters: summary.failedClusters,
    durationMs: summary.durationMs,
    ...(summary.skipped ? { skipped: summary.skipped } : {}),
  };
}

/** Writes one activity line (message `activity`, the record's fields at the top level of the JSON line). */
export function logActivity(log: ActivityLog, record: TaskActivity | ReconcileActivity): void {
  log.info(ACTIVITY_KEY, { ...record });
}
