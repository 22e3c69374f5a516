import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createLogger } from '../../layers/logger';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { recordRotationFailure } from '../../layers/rotate/finish';
import { CaughtErrorSchema, PreparedRotationSchema, StoredSecretSchema } from '../../layers/rotate/schemas';
import { ssmClient } from '../../layers/adapters/aws';

const Event = z.object({
  executionId: z.string().min(1),
  secret: z.string(),
  step: z.string().min(1),
  error: CaughtErrorSchema,
  prepared: PreparedRotationSchema.optional(),
  stored: StoredSecretSchema.optional(),
});
const deps = lazy(() => ({ ...createRolloutDeps({ ssm: ssmClient }), logger: createLogger('rotate') }));

/** Rotation step: release the mesh lock and say where the secret stands (unchanged, or old and new both valid). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rotateRecordFailure input');
  const { clients, meshName, config, logger } = deps();
  const result = await recordRotationFailure(input, { ssm: clients.ssm, meshName, ssmRoot: config.SSM_PREFIX });
  logger.error('rotation failed', { rotating: input.secret, step: input.step, error: result.error });
  return result;
}
