import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { DestroyPlanSchema, removeFromConsul } from '../../layers/deploy/teardown';

/** `spec` is `$$.Execution.Input.spec` (absent when the teardown names the mesh only). */
const Event = z.object({ plan: DestroyPlanSchema, spec: z.unknown().optional() });
const deps = lazy(() => createDeployDeps());

/** Step: the mesh's stopped tasks' registrations, config entries and KV out of Consul, while its servers still run. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyConsul input');
  const { clients, consul } = deps();
  return removeFromConsul(input.plan, input.spec, { consul, ecs: clients.ecs });
}
