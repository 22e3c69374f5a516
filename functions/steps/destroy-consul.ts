import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, withConsul } from '../../layers/deploy/deps';
import { DestroyPlanSchema, removeFromConsul } from '../../layers/deploy/teardown';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

/** `spec` is `$$.Execution.Input.spec` (absent when the teardown names the mesh only). */
const Event = z.object({ plan: DestroyPlanSchema, spec: z.unknown().optional() });
const deps = lazy(() => withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient })));

/** Step: the mesh's stopped tasks' registrations, config entries and KV out of Consul, while its servers still run. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyConsul input');
  const { clients, consul } = deps();
  return removeFromConsul(input.plan, input.spec, { consul, ecs: clients.ecs });
}
