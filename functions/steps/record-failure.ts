import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { recordFailure } from '../../layers/deploy/summary';
import { createLogger } from '../../layers/logger';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const Event = z.object({
  failedStage: z.string(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  deploymentId: z.string(),
  executionId: z.string(),
  spec: z.unknown(),
});
const deps = lazy(() => ({ ...createDeployDeps({ ecs: ecsClient, ssm: ssmClient }), logger: createLogger('deploy') }));

/** Step: release the lock and state the cause (stage, error, service, ECS stopped reason or build phase). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'recordFailure input');
  const { clients, logger } = deps();
  const result = await recordFailure(input, { ecs: clients.ecs, ssm: clients.ssm });
  logger.error('deployment failed', { deploymentId: input.deploymentId, failure: result.failure });
  return { error: result.error, cause: result.cause };
}
