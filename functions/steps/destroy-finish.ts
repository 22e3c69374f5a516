import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import {
  CleanupSchema,
  ConsulRemovalSchema,
  DestroyPlanSchema,
  finishDestroy,
  recordDestroyFailure,
  StageRemovalSchema,
} from '../../layers/deploy/teardown';
import { createLogger } from '../../layers/logger';
import { ssmClient } from '../../layers/adapters/aws';

const Finished = z.object({
  plan: DestroyPlanSchema,
  /** The first step's result (RemovePeerings): the peerings it deleted. */
  peerings: z.object({ peerings: z.array(z.string()) }).optional(),
  ingress: StageRemovalSchema,
  services: StageRemovalSchema,
  consul: ConsulRemovalSchema,
  servers: StageRemovalSchema,
  cleanup: CleanupSchema,
});
const Failed = z.object({
  mesh: z.string(),
  failedStage: z.string(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  executionId: z.string(),
});
const Event = z.union([Failed, Finished]);
const deps = lazy(() => ({ ...createDeployDeps({ ssm: ssmClient }), logger: createLogger('destroy') }));

/** Step: release the mesh lock, then report what was removed and kept, or (after a failure) the stage and cause. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyFinish input');
  const { clients, logger } = deps();
  if ('failedStage' in input) {
    const failure = await recordDestroyFailure(input, { ssm: clients.ssm });
    logger.error('teardown failed', failure);
    return failure;
  }
  return finishDestroy(input, { ssm: clients.ssm });
}
