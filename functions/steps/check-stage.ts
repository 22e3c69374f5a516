import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, withConsul } from '../../layers/deploy/deps';
import { checkStage } from '../../layers/deploy/stage';
import { PlanSchema, StageStatusSchema } from '../../layers/deploy/schemas';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ plan: PlanSchema, previous: StageStatusSchema });
const deps = lazy(() => withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient })));

/** Step: one round of a wait loop — ECS stable and Consul confirms. `DeploymentFailed` carries ECS's stopped reason. */
export async function handler(event: unknown) {
  const { previous } = parseEvent(Event, event, 'checkStage input');
  const { clients, consul } = deps();
  return checkStage(previous, { ecs: clients.ecs, consul: await consul() });
}
