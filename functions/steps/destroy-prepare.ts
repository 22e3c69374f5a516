import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { DestroyInputSchema, prepareDestroy } from '../../layers/deploy/teardown';
import { executionHolders } from '../../layers/adapters/execution-status';
import { createLogger } from '../../layers/logger';
import { ecsClient, ssmClient, sfnClient } from '../../layers/adapters/aws';

const Event = DestroyInputSchema.extend({ executionId: z.string().min(1) });
const deps = lazy(() => createDeployDeps({ ecs: ecsClient, ssm: ssmClient, sfn: sfnClient }));
const logger = lazy(() => createLogger('destroy-prepare'));

/** Step: take the mesh lock (refused while a deployment, rollout or teardown runs) and find what ECS holds of the mesh. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'destroyPrepare input');
  const { clients, config } = deps();
  return prepareDestroy(input, {
    ecs: clients.ecs,
    ssm: clients.ssm,
    defaults: { pollSeconds: config.POLL_SECONDS, maxRounds: config.MAX_ROUNDS },
    holders: executionHolders(clients.sfn),
    onTakeover: ({ name, previous, reason }) => logger().warn('lock taken over', { lock: name, previousHolder: previous.holder, reason }),
  });
}
