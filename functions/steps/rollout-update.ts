import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { PreparedRolloutSchema, RegisteredRevisionSchema } from '../../layers/rollout/schemas';
import { updateService } from '../../layers/rollout/update';
import { ecsClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRolloutSchema, revision: RegisteredRevisionSchema });
const deps = lazy(() => createRolloutDeps({ ecs: ecsClient }));

/** Rollout step: UpdateService to the new revision with the spec's rolling-update settings. */
export async function handler(event: unknown) {
  const { prepared, revision } = parseEvent(Event, event, 'rolloutUpdate input');
  return updateService(prepared, revision, { ecs: deps().clients.ecs });
}
