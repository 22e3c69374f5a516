import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients, ecsClient } from '../../layers/adapters/aws';
import { startRemovals } from '../../layers/deploy/converge';
import { PlanSchema } from '../../layers/deploy/schemas';

const Event = z.object({ plan: PlanSchema });
const clients = lazy(() => createAwsClients({ ecs: ecsClient }));

/** Step: scale the services the change set removes to 0 (idempotent), so ECS drains them. */
export async function handler(event: unknown) {
  const { plan } = parseEvent(Event, event, 'startRemovals input');
  return startRemovals(plan.mesh, plan.removals, { ecs: clients().ecs });
}
