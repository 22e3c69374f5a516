import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, withConsul } from '../../layers/deploy/deps';
import { checkRemovals } from '../../layers/deploy/converge';
import { PlanSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const RemovalStatusSchema = z.object({
  ready: z.boolean(),
  round: z.number().int(),
  waitingFor: z.string(),
  removed: z.array(z.string()),
  draining: z.array(z.object({ id: z.string(), tasks: z.number().int() })).optional(),
});
/** `spec` is `$$.Execution.Input.spec`, checked against the plan's hash. */
const Event = z.object({ plan: PlanSchema, spec: z.unknown(), previous: RemovalStatusSchema });
const deps = lazy(() => withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient })));

/** Step: one round of the removal stage — wait for the drain, then delete what the change set removes (idempotent). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'checkRemovals input');
  const { clients, consul } = deps();
  return checkRemovals(stepSpec(input.spec, input.plan), input.plan.removals, input.previous, {
    ecs: clients.ecs,
    ssm: clients.ssm,
    consul,
  });
}
