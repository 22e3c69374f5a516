import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { peeringDeps } from '../../layers/deploy/peering-deps';
import { ensurePeeringStage } from '../../layers/deploy/peering-stage';
import { PlanSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';
import { ssmClient } from '../../layers/adapters/aws';

/** `spec` is `$$.Execution.Input.spec`, checked against the plan's hash. */
const Event = z.object({ plan: PlanSchema, spec: z.unknown() });
const deps = lazy(() => peeringDeps(createDeployDeps({ ssm: ssmClient })));

/**
 * Step: the peering stage's ensure — delete the peerings the spec dropped, generate and store the acceptor's tokens,
 * establish the dialer's peerings (reading the acceptor's token in its region). `PeeringTokenMissing` is not retried.
 */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'ensurePeering input');
  return ensurePeeringStage(stepSpec(input.spec, input.plan), input.plan.peering, await deps()());
}
