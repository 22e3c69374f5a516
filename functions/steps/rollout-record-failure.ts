import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createLogger } from '../../layers/logger';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { recordRolloutFailure } from '../../layers/rollout/finish';
import { CaughtErrorSchema, PreparedRolloutSchema, RegisteredRevisionSchema } from '../../layers/rollout/schemas';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const Event = z.object({
  outcome: z.enum(['rolledBack', 'rollbackFailed', 'failed']),
  service: z.string().min(1),
  executionId: z.string().min(1),
  step: z.string().min(1),
  error: CaughtErrorSchema,
  rollbackError: CaughtErrorSchema.optional(),
  prepared: PreparedRolloutSchema.optional(),
  revision: RegisteredRevisionSchema.optional(),
});
const deps = lazy(() => ({ ...createRolloutDeps({ ecs: ecsClient, ssm: ssmClient }), logger: createLogger('rollout') }));

/** Rollout step: release the service's lock and state the cause (step, error, stopped reason, rolled back or not). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rolloutRecordFailure input');
  const { clients, meshName, logger } = deps();
  const result = await recordRolloutFailure(input, { ssm: clients.ssm, ecs: clients.ecs, meshName });
  logger.error('rollout failed', { service: input.service, failure: result.failure });
  return { error: result.error, cause: result.cause };
}
