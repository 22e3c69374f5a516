import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { executionHolders } from '../../layers/adapters/execution-status';
import { createLogger } from '../../layers/logger';
import { createRotationDeps } from '../../layers/rotate/deps';
import { prepareRotation } from '../../layers/rotate/prepare';
import { RotationInputSchema } from '../../layers/rotate/schemas';
import { ssmClient, sfnClient } from '../../layers/adapters/aws';

const Event = RotationInputSchema.extend({ executionId: z.string().min(1) });
const deps = lazy(() => createRotationDeps({ ssm: ssmClient, sfn: sfnClient }));
const logger = lazy(() => createLogger('rotate-prepare'));

/** Rotation step: plan it from the deployed spec and take the mesh lock (refused while a deployment or rollout runs). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rotatePrepare input');
  const { clients, consul, meshName, config } = deps();
  return prepareRotation(input, {
    ssm: clients.ssm,
    consul: await consul(),
    meshName,
    ssmRoot: config.SSM_PREFIX,
    holders: executionHolders(clients.sfn),
    onTakeover: ({ name, previous, reason }) => logger().warn('lock taken over', { lock: name, previousHolder: previous.holder, reason }),
  });
}
