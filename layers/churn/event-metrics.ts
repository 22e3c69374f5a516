import type { ChurnLogger, ChurnMetrics } from './ports';
import type { TaskEventOutcome } from './task-event';

const OUTCOME_METRIC: Record<TaskEventOutcome['action'], string> = {
  registered: 'TaskRegistered',
  updated: 'TaskUpdated',
  deregistered: 'TaskDeregistered',
  'servers-changed': 'ServerTaskChanged',
  ignored: 'TaskEventIgnored',
};

/** One count per handled event, by what it did. */
export function recordTaskEventOutcome(metrics: ChurnMetrics, outcome: TaskEventOutcome): void {
  metrics.addMetric(OUTCOME_METRIC[outcome.action], 'Count', 1);
}

/**
 * One count per failed invocation (`TaskEventFailed`), and `InvalidTaskEvent` for a malformed event, which no
 * retry can fix: an alarm on it points at a change in ECS's event shape before the on-failure queue fills.
 * Counted per invocation, so a malformed event counts three times (Lambda's two async retries).
 */
export function recordTaskEventFailure(metrics: ChurnMetrics, error: unknown): void {
  metrics.addMetric('TaskEventFailed', 'Count', 1);
  if ((error as Error)?.name === 'InvalidEvent') metrics.addMetric('InvalidTaskEvent', 'Count', 1);
}

/**
 * Errors after which the same event succeeds on a later attempt: Consul unreachable or without a leader (it answers
 * 500 "No cluster leader" while the mesh's servers are still electing one, which is exactly when their own task
 * events arrive), throttled, or a concurrent writer won the `cas` race. Lambda retries a failed asynchronous
 * invocation twice (after about 1 and 2 minutes), and the scheduled reconcile repairs the catalog meanwhile.
 */
const RETRIED_ERRORS: ReadonlySet<string> = new Set(['ConsulUnavailable', 'NoConsulLeader', 'ConsulTxnConflict']);

/**
 * Logs a failed invocation once, at the level it deserves. A transient failure is INFO: the retry is expected to
 * succeed, and `TaskEventFailed` with the on-failure destination already alarms on the ones that never do; logging
 * them as ERROR would page on every mesh start (the servers' own events precede their leader). Anything else (an
 * ACL refusal, a malformed event, a defect) is ERROR. Only the event id is logged, never the event.
 */
export function logTaskEventFailure(logger: ChurnLogger, error: unknown, eventId: unknown): void {
  const name = (error as Error)?.name;
  // The error itself: Powertools' Logger writes its name, message, stack and cause.
  const attributes = { error, eventId };
  if (RETRIED_ERRORS.has(name)) logger.info('task state change deferred: Lambda retries the event', attributes);
  else logger.error('task state change failed', attributes);
}
