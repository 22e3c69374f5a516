import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { applyConfigEntries } from '../../layers/deploy/config-entries';
import { PlanSchema } from '../../layers/deploy/schemas';

const Event = z.object({ plan: PlanSchema });
const deps = lazy(() => createDeployDeps());

/** Step: service-defaults, ingress-gateway and intentions into Consul (needs a leader; `NoConsulLeader` is retried). */
export async function handler(event: unknown) {
  const { plan } = parseEvent(Event, event, 'applyConfigEntries input');
  return applyConfigEntries(plan.spec, await deps().consul());
}
