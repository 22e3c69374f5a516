import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRotationDeps } from '../../layers/rotate/deps';
import { finishRotation } from '../../layers/rotate/finish';
import { PreparedRotationSchema, RotationCheckSchema, StoredSecretSchema } from '../../layers/rotate/schemas';

const Event = z.object({ prepared: PreparedRotationSchema, stored: StoredSecretSchema, check: RotationCheckSchema });
const deps = lazy(() => createRotationDeps());

/** Rotation step (management token): retire the old secret (keyring remove, or delete the old token), release the lock. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rotateFinish input');
  const { clients, management } = deps();
  return finishRotation(input, { ssm: clients.ssm, consul: await management() });
}
