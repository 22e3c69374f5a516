import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createChurnDeps, reconcileDeps } from '../../layers/churn/deps';
import { reconcileMesh } from '../../layers/churn/reconcile';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

/** The EventBridge schedule's event (`detail-type: Scheduled Event`); an empty object starts a reconcile by hand. */
const Event = z.looseObject({
  'detail-type': z.literal('Scheduled Event').optional(),
  time: z.string().optional(),
});

const deps = lazy(() => createChurnDeps({ ecs: ecsClient, ssm: ssmClient }));

/**
 * EventBridge schedule (`reconcileRate`, default every minute): repairs whatever task events missed and returns
 * the summary (also logged and published as metrics). A failure is thrown as it is (ConsulUnavailable, an ECS
 * error...): the function is configured without retries, since the next tick is the retry.
 */
export async function handler(event: unknown) {
  parseEvent(Event, event ?? {}, 'reconcile trigger');
  const { metrics } = deps();
  try {
    return await reconcileMesh(await reconcileDeps(deps()));
  } finally {
    metrics.publishStoredMetrics();
  }
}
