import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients, ecsClient } from '../../layers/adapters/aws';
import { DESTROY_STAGES, DestroyPlanSchema, removeStage, StageRemovalSchema } from '../../layers/deploy/teardown';

const Event = z.object({ stage: z.enum(DESTROY_STAGES), plan: DestroyPlanSchema, previous: StageRemovalSchema.nullable().optional() });
// ECS only: no Consul client, so no token read is bundled.
const ecs = lazy(() => createAwsClients({ ecs: ecsClient }).ecs);

/** Step: one round of a stage's removal (scale to 0, drained?, delete the services once drained). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyStage input');
  return removeStage(input.plan, input.stage, input.previous ?? undefined, { ecs: ecs() });
}
