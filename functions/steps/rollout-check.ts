import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { withConsul } from '../../layers/deploy/deps';
import { checkRollout } from '../../layers/rollout/check';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { PreparedRolloutSchema, RolloutCheckSchema } from '../../layers/rollout/schemas';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRolloutSchema, previous: RolloutCheckSchema });
const deps = lazy(() => withConsul(createRolloutDeps({ ecs: ecsClient, ssm: ssmClient })));

/**
 * Rollout step: one round of a wait loop (stabilize, bake or rollback, per `previous.phase`). `DeploymentFailed`
 * carries ECS's stopped reason; `RolloutUnhealthy` ends the bake.
 */
export async function handler(event: unknown) {
  const { prepared, previous } = parseEvent(Event, event, 'rolloutCheck input');
  const { clients, consul } = deps();
  return checkRollout(prepared, previous, { ecs: clients.ecs, consul: await consul() });
}
