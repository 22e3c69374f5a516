import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { withConsul } from '../../layers/deploy/deps';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { prepareRollout } from '../../layers/rollout/prepare';
import { RolloutInputSchema } from '../../layers/rollout/schemas';
import { executionHolders } from '../../layers/adapters/execution-status';
import { createLogger } from '../../layers/logger';
import { ecsClient, ssmClient, sfnClient } from '../../layers/adapters/aws';

const Event = RolloutInputSchema.extend({ executionId: z.string().min(1) });
const deps = lazy(() => withConsul(createRolloutDeps({ ecs: ecsClient, ssm: ssmClient, sfn: sfnClient })));
const logger = lazy(() => createLogger('rollout-prepare'));

/** Rollout step: find the service, record the live revision, take the service's rollout lock. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rolloutPrepare input');
  const { clients, consul, meshName } = deps();
  return prepareRollout(input, {
    ecs: clients.ecs,
    ssm: clients.ssm,
    consul: await consul(),
    meshName,
    holders: executionHolders(clients.sfn),
    onTakeover: ({ name, previous, reason }) => logger().warn('lock taken over', { lock: name, previousHolder: previous.holder, reason }),
  });
}
