import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRotationDeps } from '../../layers/rotate/deps';
import { PreparedRotationSchema } from '../../layers/rotate/schemas';
import { storeNewSecret } from '../../layers/rotate/secret';

const Event = z.object({ prepared: PreparedRotationSchema });
const deps = lazy(() => createRotationDeps());

/**
 * Rotation step (management token): the new secret live in Consul (keyring install + use, or a new token), then
 * stored in SSM as a new version. Returns versions and AccessorIDs only, never a value.
 */
export async function handler(event: unknown) {
  const { prepared } = parseEvent(Event, event, 'rotateStore input');
  const { clients, management } = deps();
  return storeNewSecret(prepared, { ssm: clients.ssm, consul: await management() });
}
