import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { PreparedRolloutSchema, RegisteredRevisionSchema } from '../../layers/rollout/schemas';
import { rollBack } from '../../layers/rollout/update';
import { ecsClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRolloutSchema, revision: RegisteredRevisionSchema.optional() });
const deps = lazy(() => createRolloutDeps({ ecs: ecsClient }));

/** Rollout step: UpdateService back to the previous revision, and deregister the failed one. */
export async function handler(event: unknown) {
  const { prepared, revision } = parseEvent(Event, event, 'rolloutRollback input');
  return rollBack(prepared, revision, { ecs: deps().clients.ecs });
}
