import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients, ecrClient, ecsClient, ssmClient } from '../../layers/adapters/aws';
import { readConfig } from '../../layers/config';
import { cleanUpAccount, CleanupSchema, DestroyPlanSchema } from '../../layers/deploy/teardown';

const Event = z.object({ plan: DestroyPlanSchema, previous: CleanupSchema.nullable().optional() });
// ECS, SSM and ECR only: no Consul client, so no token read is bundled.
const deps = lazy(() => {
  const clients = createAwsClients({ ecs: ecsClient, ssm: ssmClient, ecr: ecrClient });
  const config = readConfig(process.env);
  return { ecs: clients.ecs, parameters: clients.ssm, repositories: clients.ecr, ssmRoot: config.SSM_PREFIX };
});

/** Step: one round of the last removals (revisions, parameters, repositories on purge, the emptied clusters). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyCleanup input');
  return cleanUpAccount(input.plan, input.previous ?? undefined, deps());
}
