import { lazy } from '../../layers/handler-kit';
import { createChurnDeps, taskEventDeps } from '../../layers/churn/deps';
import { logTaskEventFailure, recordTaskEventFailure, recordTaskEventOutcome } from '../../layers/churn/event-metrics';
import { handleTaskEvent } from '../../layers/churn/task-event';
import { ssmClient } from '../../layers/adapters/aws';

const deps = lazy(() => createChurnDeps({ ssm: ssmClient }));

/**
 * EventBridge → `ECS Task State Change` of the mesh's clusters (asynchronous invocation, at-least-once, any order):
 * keeps the task's Consul registration equal to its ECS state. Returns what it did.
 *
 * Every failure is thrown as it is, so Lambda retries the event twice and then sends it, with the error, to the
 * on-failure queue; the scheduled reconcile repairs the catalog meanwhile:
 * - ConsulUnavailable, ConsulAclDenied, ConsulTxnConflict: transient; a retry a minute later usually succeeds.
 * - InvalidEvent (an event without a task's required fields): thrown too, not dropped. No retry can fix it, but
 *   the two wasted retries are cheap, and the queue keeps the event inspectable and replayable once the schema is
 *   fixed, which a dropped event would not be; `InvalidTaskEvent` counts it for an alarm. The rule only matches
 *   `aws.ecs` task state changes, so this means ECS changed its event shape: every event would fail, and the queue
 *   is where they must wait rather than vanish.
 */
export async function handler(event: unknown) {
  const { metrics, logger } = deps();
  try {
    const outcome = await handleTaskEvent(event, await taskEventDeps(deps()));
    recordTaskEventOutcome(metrics, outcome);
    return outcome;
  } catch (error) {
    recordTaskEventFailure(metrics, error);
    logTaskEventFailure(logger, error, eventId(event));
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}

/** The EventBridge event id, to find the event in the on-failure queue (never the whole event). */
function eventId(event: unknown): unknown {
  return typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
}
