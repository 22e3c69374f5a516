import * as z from 'zod/mini';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, ecsContexts } from '../../layers/deploy/deps';
import { ensureStage } from '../../layers/deploy/stage';
import { ImagesSchema, PlanSchema, StageNameSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';
import { ecsClient } from '../../layers/adapters/aws';

const Event = z.object({
  stage: StageNameSchema,
  plan: PlanSchema,
  images: ImagesSchema,
  cluster: z.optional(z.object({ cluster: z.string(), services: z.array(z.string()) })),
  /** `$$.Execution.Input.spec`: the spec as submitted, checked against the plan's hash. */
  spec: z.unknown(),
});
const deps = lazy(() => createDeployDeps({ ecs: ecsClient }));

/** Step: ensure a stage's cluster, task definitions and services (idempotent; "unchanged" writes nothing). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'ensureStage input');
  const { clients, config } = deps();
  const images = Object.fromEntries(input.images.map((i) => [i.name, i.imageUri]));
  return ensureStage(stepSpec(input.spec, input.plan), input.stage, images, { ecs: clients.ecs, ...ecsContexts(config) }, input.cluster?.cluster);
}
