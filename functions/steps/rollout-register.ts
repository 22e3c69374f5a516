import * as z from 'zod';
import { serviceRevisionRoles } from '../../layers/deploy/deps';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { registerRevision } from '../../layers/rollout/register';
import { PreparedRolloutSchema } from '../../layers/rollout/schemas';
import { ecsClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRolloutSchema, imageUri: z.string().min(1) });
const deps = lazy(() => createRolloutDeps({ ecs: ecsClient }));

/** Rollout step: register the task-definition revision that runs the new image (idempotent). */
export async function handler(event: unknown) {
  const { prepared, imageUri } = parseEvent(Event, event, 'rolloutRegister input');
  const { clients, config } = deps();
  return registerRevision(prepared, imageUri, { ecs: clients.ecs, roles: serviceRevisionRoles(config) });
}
