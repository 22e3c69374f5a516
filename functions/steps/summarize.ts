import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, withConsul } from '../../layers/deploy/deps';
import { summarizeDeployment } from '../../layers/deploy/summary';
import { createChurnDeps, reconcileDeps } from '../../layers/churn/deps';
import { reconcileMesh } from '../../layers/churn/reconcile';
import { ImagesSchema, PeeringStatusSchema, PlanSchema, StageStatusSchema } from '../../layers/deploy/schemas';
import { peeringChanged } from '../../layers/deploy/peering-stage';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const Event = z.object({
  plan: PlanSchema,
  images: ImagesSchema,
  servers: StageStatusSchema,
  serviceClusters: z.array(StageStatusSchema),
  ingress: z.optional(StageStatusSchema),
  meshGateway: z.optional(StageStatusSchema),
  /** The peering stage's result, when the spec or the deployed spec has peers. */
  peering: z.optional(PeeringStatusSchema),
  /** The removal stage's result, when the change set removed something. */
  removal: z.object({ removed: z.array(z.string()) }).optional(),
});
const deps = lazy(() => withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient })));
const churn = lazy(() => createChurnDeps({ ecs: ecsClient, ssm: ssmClient }));

/**
 * Step: repair the catalog, release the lock and report the deployed mesh (the execution's output). The stage
 * checks wait for every running task to be registered, but not for registrations of tasks that no longer run (left by a
 * restart, or by events lost meanwhile): a reconcile of the deployed spec's clusters removes them first, so a
 * deployment never reports a mesh whose catalog still lists stale instances.
 */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'summarize input');
  const { clients, consul } = deps();
  const stages = [input.servers, ...(input.meshGateway ? [input.meshGateway] : []), ...input.serviceClusters, ...(input.ingress ? [input.ingress] : [])];
  const repairs = await reconcileMesh({ ...(await reconcileDeps(churn())), specMaxAgeMs: 0 });
  const summary = await summarizeDeployment(
    { plan: input.plan, images: input.images, executionId: input.plan.lockHolder, stages },
    { ecs: clients.ecs, ssm: clients.ssm, consul: await consul() },
  );
  const repaired = { registered: repairs.registered, deregistered: repairs.deregistered, updated: repairs.updatedAddress + repairs.updatedCheck + repairs.updatedRegistration };
  const anyRepair = repaired.registered + repaired.deregistered + repaired.updated > 0;
  const removed = input.removal?.removed ?? [];
  return { ...summary, repaired, removed, noChange: summary.noChange && !anyRepair && removed.length === 0 && !peeringChanged(input.peering) };
}
