import type { ChurnMetrics } from './ports';
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
