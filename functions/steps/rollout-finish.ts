import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { finishRollout } from '../../layers/rollout/finish';
import { PreparedRolloutSchema, RegisteredRevisionSchema } from '../../layers/rollout/schemas';
import { ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRolloutSchema, revision: RegisteredRevisionSchema });
const deps = lazy(() => createRolloutDeps({ ssm: ssmClient }));

/** Rollout step: release the service's lock and record the live revision (the execution's output). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rolloutFinish input');
  return finishRollout(input, { ssm: deps().clients.ssm });
}
