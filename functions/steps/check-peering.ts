import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { peeringDeps } from '../../layers/deploy/peering-deps';
import { checkPeeringStage } from '../../layers/deploy/peering-stage';
import { PeeringStatusSchema, PlanSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';
import { ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ plan: PlanSchema, spec: z.unknown(), previous: PeeringStatusSchema });
const deps = lazy(() => peeringDeps(createDeployDeps({ ssm: ssmClient })));

/** Step: one round of the peering stage's wait — are the dialer's peerings ACTIVE? */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'checkPeering input');
  return checkPeeringStage(stepSpec(input.spec, input.plan), input.previous, await deps()());
}
