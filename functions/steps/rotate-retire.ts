import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRotationDeps } from '../../layers/rotate/deps';
import { PreparedRotationSchema, StoredSecretSchema } from '../../layers/rotate/schemas';
import { retireOldSecret } from '../../layers/rotate/secret';
import { ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRotationSchema, stored: StoredSecretSchema });
const deps = lazy(() => createRotationDeps({ ssm: ssmClient }));

/** Rotation step (management token; reads SSM, never writes it): retire the old secret (keyring remove, or delete the old token). */
export async function handler(event: unknown) {
  const { prepared, stored } = parseEvent(Event, event, 'rotateRetire input');
  const { clients, management } = deps();
  return { removed: await retireOldSecret(prepared, stored, { ssm: clients.ssm, consul: await management() }) };
}
