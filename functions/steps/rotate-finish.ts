import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients, ssmClient } from '../../layers/adapters/aws';
import { finishRotation } from '../../layers/rotate/finish';
import { PreparedRotationSchema, RotationCheckSchema, StoredSecretSchema } from '../../layers/rotate/schemas';

const Event = z.object({ prepared: PreparedRotationSchema, stored: StoredSecretSchema, check: RotationCheckSchema, retired: z.object({ removed: z.string() }) });
const clients = lazy(() => createAwsClients({ ssm: ssmClient }));

/** Rotation step: release the mesh lock and record what was rotated, replaced and retired (the execution's output). */
export async function handler(event: unknown) {
  const { retired, ...input } = parseEvent(Event, event, 'rotateFinish input');
  return finishRotation({ ...input, removed: retired.removed }, { ssm: clients().ssm });
}
