import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { summarizeDeployment } from '../../layers/deploy/summary';
import { ImagesSchema, PlanSchema, StageStatusSchema } from '../../layers/deploy/schemas';

const Event = z.object({
  plan: PlanSchema,
  images: ImagesSchema,
  servers: StageStatusSchema,
  serviceClusters: z.array(StageStatusSchema),
  ingress: StageStatusSchema.optional(),
});
const deps = lazy(() => createDeployDeps());

/** Step: release the lock and report the deployed mesh (the execution's output). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'summarize input');
  const { clients, consul } = deps();
  const stages = [input.servers, ...input.serviceClusters, ...(input.ingress ? [input.ingress] : [])];
  return summarizeDeployment(
    { plan: input.plan, images: input.images, executionId: input.plan.lockHolder, stages },
    { ecs: clients.ecs, ssm: clients.ssm, consul: await consul() },
  );
}
