import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, withConsul } from '../../layers/deploy/deps';
import { DestroyPlanSchema, removeFromConsul, removeMeshPeerings } from '../../layers/deploy/teardown';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

/**
 * `spec` is `$$.Execution.Input.spec` (absent when the teardown names the mesh only); `phase: "peerings"` is the
 * teardown's first step (the cluster peerings, while the mesh gateways run), otherwise its Consul step.
 */
const Event = z.object({ plan: DestroyPlanSchema, spec: z.unknown().optional(), phase: z.enum(['peerings']).optional() });
const deps = lazy(() => withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient })));

/** Step: the mesh's peerings, or its stopped tasks' registrations, config entries and KV, out of Consul while its servers still run. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyConsul input');
  const { clients, consul } = deps();
  if (input.phase === 'peerings') return removeMeshPeerings(input.plan, input.spec, { consul });
  return removeFromConsul(input.plan, input.spec, { consul, ecs: clients.ecs });
}
