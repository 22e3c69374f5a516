import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients } from '../../layers/adapters/aws';
import { rollTargets } from '../../layers/rotate/roll';
import { PreparedRotationSchema } from '../../layers/rotate/schemas';

const Event = z.object({ prepared: PreparedRotationSchema });
const clients = lazy(() => createAwsClients());

/** Rotation step: UpdateService with forceNewDeployment for the services whose tasks read the secret. */
export async function handler(event: unknown) {
  const { prepared } = parseEvent(Event, event, 'rotateRoll input');
  return rollTargets(prepared, { ecs: clients().ecs });
}
